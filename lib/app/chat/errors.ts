/**
 * What can go wrong in the chat, in the chat's terms; lib/app/chat/http.ts
 * is the one place that turns these into HTTP answers.
 *
 * @module
 */

/** Every chat failure a person can act on. */
export class ChatError extends Error {}

/** The input named by `field` breaks a rule (the message says which). */
export class InvalidInput extends ChatError {
  constructor(
    readonly field: "room" | "username" | "message" | "member",
    message: string,
  ) {
    super(message);
  }
}

export class RoomExists extends ChatError {
  constructor(readonly room: string) {
    super(`room ${room} exists`);
  }
}

export class RoomNotFound extends ChatError {
  constructor(readonly room: string) {
    super(`no room ${room}`);
  }
}

/** Someone else in the room holds this name (or one that looks the same). */
export class NameTaken extends ChatError {
  constructor(readonly room: string, readonly username: string) {
    super(`${username} is taken in ${room}`);
  }
}

/** The caller does not prove to be a member of the room. */
export class NotAMember extends ChatError {
  constructor(readonly room: string) {
    super(`not a member of ${room}`);
  }
}

/** The caller has no identity to be a member under (no session cookie, no token `sub`). */
export class NoIdentity extends ChatError {
  constructor() {
    super("no identity");
  }
}

/**
 * `useMembership`: the chat page's side of a room's membership (join, send, leave).
 * A member is the page's session, so every tab and reload of it is the same
 * member; the room's `join`/`leave` events naming this session keep each tab
 * in step. Browser code.
 *
 * @module
 */
import { useState } from "preact/hooks";
import type { ChatLine, ChatMember } from "./types.ts";

/** This page's membership of the room. */
export interface Me {
  /** The page's identity (its session), as `join`/`leave` events name it. */
  user: string;
  username: string;
}

export interface MembershipOptions {
  /** The page's identity as the server rendered it. */
  user?: string;
  /** The name this session holds in the room, as the server rendered it. */
  username?: string;
  /** The member list as the server returned it on a join. */
  onMembers: (members: ChatMember[]) => void;
}

export interface Membership {
  /** Null until this session joins (or after it left). */
  me: Me | null;
  /** A join or a send is on its way. */
  pending: boolean;
  joinError: string | null;
  sendError: string | null;
  /** True when the session joined under `username`. */
  join: (username: string) => Promise<boolean>;
  /** True when the message was sent. */
  send: (text: string) => Promise<boolean>;
  leave: () => Promise<void>;
  /** Follows a `join`/`leave` line: one naming this session (another tab's) changes `me`. */
  follow: (line: ChatLine) => void;
  /** The server's word after a resync: the name this session holds, if any. */
  resync: (username: string | undefined) => void;
}

const UNREACHABLE = "The server could not be reached. Please try again.";

export function useMembership(
  room: string,
  { user: renderedUser, username, onMembers }: MembershipOptions,
): Membership {
  const base = `/chat/${room}`;
  const [user, setUser] = useState(renderedUser);
  const [name, setName] = useState<string | null>(username ?? null);
  const [pending, setPending] = useState(false);
  const [joinError, setJoinError] = useState<string | null>(null);
  const [sendError, setSendError] = useState<string | null>(null);

  const join = async (wanted: string) => {
    setPending(true);
    try {
      const { res, json } = await post(`${base}/join`, { username: wanted });
      if (res.ok) {
        setUser(json.user);
        setName(json.username);
        onMembers(json.members);
        setJoinError(null);
        return true;
      }
      setJoinError(json?.error?.message ?? "Could not join the room.");
    } catch {
      setJoinError(UNREACHABLE);
    } finally {
      setPending(false);
    }
    return false;
  };

  const send = async (text: string) => {
    if (!name) return false;
    setPending(true);
    try {
      const { res, json } = await post(`${base}/messages`, { text });
      if (res.ok) {
        setSendError(null);
        return true;
      }
      setSendError(json?.error?.message ?? "The message was not sent.");
      if (res.status === 403) setName(null);
    } catch {
      setSendError(UNREACHABLE);
    } finally {
      setPending(false);
    }
    return false;
  };

  const leave = async () => {
    if (!name) return;
    setName(null);
    await post(`${base}/leave`, {}).catch(() => {});
  };

  const follow = (line: ChatLine) => {
    if (!user || line.member !== user) return;
    if (line.event === "join") setName(line.user);
    else if (line.event === "leave") setName(null);
  };

  return {
    me: user && name ? { user, username: name } : null,
    pending,
    joinError,
    sendError,
    join,
    send,
    leave,
    follow,
    resync: (held) => setName(held ?? null),
  };
}

async function post(url: string, body: unknown) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = res.status === 204 ? null : await res.json().catch(() => null);
  return { res, json };
}

/**
 * `useMembership`: the chat page's side of a room's membership (join, send, leave,
 * heartbeat, leave beacon on `pagehide`, re-join after a reload). Browser code.
 *
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";

/** This tab's membership of the room. */
export interface Me {
  username: string;
  memberId: string;
  /** This page's join; its leave names it (a reloaded page's late leave is ignored). */
  seat?: string;
}

export interface MembershipOptions {
  /** How often the page renews its membership. */
  heartbeatMs: number;
  /** The member list as the server returned it (on join and heartbeat). */
  onMembers: (names: string[]) => void;
}

export interface Membership {
  /** Null until this tab joins (or after it left or was removed). */
  me: Me | null;
  /** A join or a send is on its way. */
  pending: boolean;
  joinError: string | null;
  sendError: string | null;
  /** True when the tab joined under `username`. */
  join: (username: string) => Promise<boolean>;
  /** True when the message was sent. */
  send: (text: string) => Promise<boolean>;
  leave: () => Promise<void>;
}

const UNREACHABLE = "The server could not be reached. Please try again.";

export function useMembership(
  room: string,
  { heartbeatMs, onMembers }: MembershipOptions,
): Membership {
  const base = `/chat/${room}`;
  const [me, setMe] = useState<Me | null>(null);
  const [pending, setPending] = useState(false);
  const [joinError, setJoinError] = useState<string | null>(null);
  const [sendError, setSendError] = useState<string | null>(null);
  const meRef = useRef<Me | null>(null);
  meRef.current = me;
  const members = useRef(onMembers);
  members.current = onMembers;

  /** Forgets the membership, here and in the tab's storage. */
  const drop = () => {
    saveMe(room, null);
    setMe(null);
  };

  const join = async (username: string, memberId?: string) => {
    setPending(true);
    try {
      const { res, json } = await post(`${base}/join`, { username, memberId });
      if (res.ok) {
        const next = {
          username: json.username,
          memberId: json.memberId,
          seat: json.seat,
        };
        saveMe(room, next);
        setMe(next);
        members.current(json.members);
        setJoinError(null);
        return true;
      }
      saveMe(room, null);
      setJoinError(json?.error?.message ?? "Could not join the room.");
    } catch {
      setJoinError(UNREACHABLE);
    } finally {
      setPending(false);
    }
    return false;
  };

  // Restore this tab's membership after a reload; leave when the page goes.
  useEffect(() => {
    const saved = loadMe(room);
    if (saved) join(saved.username, saved.memberId);
    const onHide = () => {
      const current = meRef.current;
      if (!current) return;
      navigator.sendBeacon(
        `${base}/leave`,
        new Blob([JSON.stringify(current)], { type: "text/plain" }),
      );
    };
    const onShow = (e: PageTransitionEvent) => {
      const current = meRef.current;
      if (e.persisted && current) join(current.username, current.memberId);
    };
    addEventListener("pagehide", onHide);
    addEventListener("pageshow", onShow);
    return () => {
      removeEventListener("pagehide", onHide);
      removeEventListener("pageshow", onShow);
    };
  }, []);

  useEffect(() => {
    if (!me) return;
    const timer = setInterval(async () => {
      const { res, json } = await post(`${base}/heartbeat`, me).catch(() => ({
        res: null,
        json: null,
      }));
      if (res?.ok) members.current(json.members);
      else if (res?.status === 409) {
        drop();
        setJoinError(json?.error?.message ?? "You were removed from the room.");
      }
    }, heartbeatMs);
    return () => clearInterval(timer);
  }, [me?.memberId]);

  const send = async (text: string) => {
    if (!me) return false;
    setPending(true);
    try {
      const { res, json } = await post(`${base}/messages`, { ...me, text });
      if (res.ok) {
        setSendError(null);
        return true;
      }
      setSendError(json?.error?.message ?? "The message was not sent.");
      if (res.status === 403) drop();
    } catch {
      setSendError(UNREACHABLE);
    } finally {
      setPending(false);
    }
    return false;
  };

  const leave = async () => {
    if (!me) return;
    const current = me;
    drop();
    await post(`${base}/leave`, current).catch(() => {});
  };

  return {
    me,
    pending,
    joinError,
    sendError,
    join: (username) => join(username),
    send,
    leave,
  };
}

const storageKey = (room: string) => `herald:chat:${room}`;

function loadMe(room: string): Me | null {
  try {
    const raw = sessionStorage.getItem(storageKey(room));
    return raw ? JSON.parse(raw) as Me : null;
  } catch {
    return null;
  }
}

function saveMe(room: string, me: Me | null) {
  try {
    if (me) sessionStorage.setItem(storageKey(room), JSON.stringify(me));
    else sessionStorage.removeItem(storageKey(room));
  } catch { /* storage off: membership lasts this page only */ }
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

/**
 * One `Deno.Kv` handle per store per process, shared by the kv broker and the app
 * store and reference-counted (why: ARCHITECTURE.md, kv).
 *
 * @module
 */

export interface SharedKv {
  readonly kv: Deno.Kv;
  /** Gives the handle back; the last release closes it. Idempotent. */
  release(): void;
}

interface Entry {
  kv: Promise<Deno.Kv>;
  users: number;
}

const open = new Map<string, Entry>();

/** Opens (or joins) the KV at `path`; no path means the platform's KV on Deno Deploy. */
export async function openSharedKv(path?: string): Promise<SharedKv> {
  const key = path ?? "";
  let entry = open.get(key);
  if (!entry) {
    entry = { kv: openKv(path), users: 0 };
    open.set(key, entry);
    entry.kv.catch(() => open.delete(key));
  }
  entry.users++;
  const current = entry;
  let kv: Deno.Kv;
  try {
    kv = await current.kv;
  } catch (err) {
    current.users--;
    throw err;
  }
  let released = false;
  return {
    kv,
    release() {
      if (released) return;
      released = true;
      if (--current.users > 0) return;
      if (open.get(key) === current) open.delete(key);
      kv.close();
    },
  };
}

async function openKv(path?: string): Promise<Deno.Kv> {
  if (!path) return await Deno.openKv();
  const slash = path.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
  return await Deno.openKv(path);
}

/**
 * SQLite answers "database is locked" when another handle (the kv broker, a
 * second process) writes at the same moment; such a call is retried.
 */
export async function retryLocked<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= 50 || !/database is locked/i.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
    }
  }
}

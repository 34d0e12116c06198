/**
 * The browser subscriber any site can load from Herald (`/herald.js`, built by
 * `deno task sdk`): lib/client's page stream as a global `Herald`.
 *
 * @example
 * ```html
 * <script src="https://herald.example.com/herald.js"></script>
 * <script>Herald.connect({ token }).subscribe({ channels: ["news"], onEvent: (e) => show(e.data) });</script>
 * ```
 *
 * @module
 */
import { PageStream, type Subscription } from "../lib/client/stream.ts";
import { fetchHistory } from "../lib/client/history.ts";
import type { StreamStatus } from "../lib/client/connection.ts";

export interface ConnectOptions {
  /** Herald's base URL; default the origin herald.js was loaded from. */
  url?: string;
  /** A Herald token, for channels that need one (sent as `?token=` on the stream). */
  token?: string;
  /** Share the connections between this site's tabs; default true. */
  shareTabs?: boolean;
  /** Herald's `HERALD_MAX_CHANNELS_PER_STREAM`, when not the default 32. */
  maxChannelsPerConnection?: number;
}

export interface HeraldClient {
  /** Delivers each matching event once, in order; returns the function that stops it. */
  subscribe(sub: Subscription): () => void;
  /** Calls `listener` with the status now and on every change; returns the function that stops it. */
  onStatus(listener: (status: StreamStatus) => void): () => void;
  readonly status: StreamStatus;
  readonly lastEventId: string | null;
  /** Closes the connection. */
  close(): void;
}

const script = typeof document !== "undefined"
  ? (document.currentScript as HTMLScriptElement | null)
  : null;
const scriptOrigin = script?.src ? new URL(script.src).origin : "";

export function connect(opts: ConnectOptions = {}): HeraldClient {
  const origin = (opts.url ?? scriptOrigin).replace(/\/+$/, "");
  const query = opts.token ? `?token=${encodeURIComponent(opts.token)}` : "";
  const stream = new PageStream({
    endpoint: `${origin}/api/events${query}`,
    shareTabs: opts.shareTabs ?? true,
    maxChannelsPerConnection: opts.maxChannelsPerConnection,
    // Tabs of one site may follow several Heralds, or one with several tokens.
    lockName: `herald:stream:${origin}:${opts.token ?? ""}`,
    readHistory: (channel, q) =>
      fetchHistory(channel, { ...q, origin, token: opts.token }),
  });
  return {
    subscribe: (sub) => stream.subscribe(sub),
    onStatus: (listener) => stream.status.subscribe(listener),
    get status() {
      return stream.status.value;
    },
    get lastEventId() {
      return stream.lastEventId.value;
    },
    close: () => stream.dispose(),
  };
}

(globalThis as unknown as { Herald: unknown }).Herald = { connect };

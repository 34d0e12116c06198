/**
 * The soak's attack mix (issue 8), each from its own loopback address and
 * bounded in count and time: connections that never finish their head or sit
 * idle, bodies that never end or are too large, streams and history reads
 * that never read, forged publishes to the app's channels, chat floods,
 * many multi-channel streams, bad ids and hostile headers. Every answer is
 * counted by status ("refused": no connection; "closed": closed without an
 * answer; "cut": a held stream the server ended; "held": still open at the
 * end of the wave).
 *
 * @example
 * ```ts
 * const counts = new Map<string, Counter>();
 * await runWave({ port, scale: FULL_SCALE, bigChannel, counts, holdMs: 20_000, wave: 1 });
 * ```
 * @module
 */
import {
  connect,
  postRequest,
  rawRequest,
  type RawSocket,
  requestHead,
  write,
} from "./raw_http.ts";
import { Counter } from "./well_behaved.ts";

/** How hard each attack pushes in one wave. */
export interface Scale {
  halfOpen: number;
  idleKeepAlive: number;
  /** Non-reading streams resuming from the big channel's oldest id. */
  replayStreams: number;
  /** Non-reading `GET …/messages?limit=1000` of the big channel. */
  historyReads: number;
  /** Multi-channel streams × distinct channels each, from one address. */
  multiStreams: number;
  channelsPerStream: number;
  chatMessages: number;
  roomsCreated: number;
  /** Endless and oversized bodies per route. */
  bodiesPerRoute: number;
  forged: number;
  hostileHeaders: number;
}

export const FULL_SCALE: Scale = {
  halfOpen: 1200,
  idleKeepAlive: 600,
  replayStreams: 10,
  historyReads: 10,
  multiStreams: 100,
  channelsPerStream: 32,
  chatMessages: 500,
  roomsCreated: 200,
  bodiesPerRoute: 2,
  forged: 20,
  hostileHeaders: 1,
};

export const SHORT_SCALE: Scale = {
  halfOpen: 300,
  idleKeepAlive: 100,
  replayStreams: 3,
  historyReads: 3,
  multiStreams: 10,
  channelsPerStream: 32,
  chatMessages: 60,
  roomsCreated: 30,
  bodiesPerRoute: 1,
  forged: 5,
  hostileHeaders: 1,
};

/** The attackers' source addresses: one per attack (issue 8: "from one address"). */
export const ADDRESS = {
  connections: "127.0.0.2",
  bodies: "127.0.0.3",
  replay: "127.0.0.4",
  history: "127.0.0.5",
  forged: "127.0.0.6",
  chat: "127.0.0.7",
  multi: "127.0.0.8",
  headers: "127.0.0.9",
} as const;

export interface WaveContext {
  port: number;
  scale: Scale;
  /** A channel full of 60 KB events, and the id of its oldest. */
  bigChannel: { name: string; oldestId: string };
  /** Answers per attack name. */
  counts: Map<string, Counter>;
  /** How long held connections and streams stay open. */
  holdMs: number;
  wave: number;
}

const JSON_TYPE = "application/json";
const FORM = "application/x-www-form-urlencoded";

function counter(ctx: WaveContext, name: string): Counter {
  let c = ctx.counts.get(name);
  if (!c) ctx.counts.set(name, c = new Counter());
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `count` tasks with at most `width` at once. */
async function pool(
  count: number,
  width: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

interface Held {
  name: string;
  count: number;
  from: string;
  /** The bytes connection `i` sends (a request head, finished or not). */
  head: (i: number) => string;
  /** Stop reading once the response head arrived (the body backs up). */
  silent?: boolean;
}

/**
 * Opens `count` connections, each sending its head, holds them for
 * `holdMs`, then counts which the server ended ("cut"), which are still
 * open ("held") and which it never accepted ("refused").
 */
async function holdConnections(ctx: WaveContext, spec: Held): Promise<void> {
  const c = counter(ctx, spec.name);
  const held: RawSocket[] = [];
  const until = performance.now() + ctx.holdMs;
  await pool(spec.count, 50, async (i) => {
    if (performance.now() > until) return;
    try {
      const raw = await connect({ port: ctx.port, from: spec.from });
      held.push(raw);
      await write(raw, spec.head(i));
      if (spec.silent) pauseAfterHead(raw);
    } catch {
      c.add("refused");
    }
  });
  await sleep(Math.max(0, until - performance.now()));
  if (spec.silent) {
    // Take what the kernel and the server buffered (MBs per stream, up to
    // 5 s), to see whether the server ended the response.
    for (const raw of held) raw.socket.resume();
    await Promise.race([Promise.all(held.map((r) => r.closed)), sleep(5000)]);
  }
  for (const raw of held) {
    const status = raw.status();
    if (raw.closedByPeer() || raw.socket.destroyed) {
      c.add(status ? `${status} cut` : "closed");
    } else c.add(status ? `${status} held` : "held");
    raw.close();
  }
}

/** Reads until the response head arrived, then stops reading. */
function pauseAfterHead(raw: RawSocket): void {
  const check = () => {
    if (raw.status()) raw.socket.pause();
    else if (!raw.socket.destroyed) setTimeout(check, 5);
  };
  check();
}

/**
 * The attacks that hold connections: heads never finished, idle keep-alive,
 * silent replays and history reads of the big channel, many multi-channel
 * streams of distinct channels.
 */
function heldAttacks(ctx: WaveContext): Held[] {
  const { port, scale, bigChannel, wave } = ctx;
  const get = (path: string, headers: Record<string, string> = {}) =>
    requestHead("GET", path, port, headers);
  return [{
    name: "half-open heads",
    count: scale.halfOpen,
    from: ADDRESS.connections,
    head: () => `GET /about HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `,
  }, {
    name: "idle keep-alive",
    count: scale.idleKeepAlive,
    from: ADDRESS.connections,
    head: () => `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
  }, {
    name: "non-reading replays",
    count: scale.replayStreams,
    from: ADDRESS.replay,
    head: () =>
      get(`/api/channels/${bigChannel.name}/events`, {
        "last-event-id": bigChannel.oldestId,
      }),
    silent: true,
  }, {
    name: "non-reading history reads",
    count: scale.historyReads,
    from: ADDRESS.history,
    head: () => get(`/api/channels/${bigChannel.name}/messages?limit=1000`),
    silent: true,
  }, {
    name: `multi-channel streams × ${scale.channelsPerStream}`,
    count: scale.multiStreams,
    from: ADDRESS.multi,
    head: (i) =>
      get(
        "/api/events?" + Array.from(
          { length: scale.channelsPerStream },
          (_, k) => `channel=spread-${wave}-${i * scale.channelsPerStream + k}`,
        ).join("&"),
      ),
  }];
}

const BODY_ROUTES: [string, string, string][] = [
  ["/notifications", FORM, "kind=info&to=everyone&message="],
  ["/chat", FORM, "room="],
  ["/chat/soak-room/join", JSON_TYPE, '{"username":"'],
  ["/chat/soak-room/messages", JSON_TYPE, '{"text":"'],
  ["/flights/pause", FORM, "paused="],
  ["/api/channels/soak-body/messages", JSON_TYPE, '{"data":"'],
];

/** A chunked body that goes on (up to 4 MB), one that stalls, and a declared 100 MB one, per route. */
async function bodies(ctx: WaveContext) {
  const endless = counter(ctx, "endless chunked bodies");
  const stalled = counter(ctx, "stalled bodies");
  const oversized = counter(ctx, "100 MB Content-Length");
  const filler = "a".repeat(64 * 1024);
  const chunk = `${filler.length.toString(16)}\r\n${filler}\r\n`;
  const until = performance.now() + ctx.holdMs;
  await Promise.all(BODY_ROUTES.map(async ([path, type, first]) => {
    for (let i = 0; i < ctx.scale.bodiesPerRoute; i++) {
      if (performance.now() > until) return;
      const head = requestHead("POST", path, ctx.port, {
        "content-type": type,
        "transfer-encoding": "chunked",
      });
      await Promise.all([
        (async () => {
          let raw: RawSocket;
          try {
            raw = await connect({ port: ctx.port, from: ADDRESS.bodies });
          } catch {
            return endless.add("refused");
          }
          await write(raw, head);
          await write(raw, `${first.length.toString(16)}\r\n${first}\r\n`);
          for (let sent = 0; sent < 4 * 1024 * 1024; sent += filler.length) {
            if (raw.status() || !(await write(raw, chunk))) break;
          }
          await Promise.race([raw.closed, sleep(15_000)]);
          endless.add(raw.status() || "closed");
          raw.close();
        })(),
        (async () => {
          const answer = await rawRequest({
            port: ctx.port,
            from: ADDRESS.bodies,
            head,
            body: `${first.length.toString(16)}\r\n${first}\r\n`,
            timeoutMs: 30_000,
          });
          stalled.add(answer.error ? "refused" : answer.status || "closed");
        })(),
        (async () => {
          const answer = await rawRequest({
            port: ctx.port,
            from: ADDRESS.bodies,
            head: requestHead("POST", path, ctx.port, {
              "content-type": type,
              "content-length": String(100 * 1024 * 1024),
            }),
            body: first,
          });
          oversized.add(answer.error ? "refused" : answer.status || "closed");
        })(),
      ]);
    }
  }));
}

/** Publishes through the API that would forge the app's own events. */
async function forged(ctx: WaveContext) {
  const c = counter(ctx, "forged app-channel publishes");
  const forgeries: [string, unknown][] = [
    ["chat:soak-room", {
      event: "message",
      data: { username: "admin", text: "forged", memberId: "x" },
    }],
    ["chat:soak-room", {
      event: "join",
      data: { username: "admin", members: ["admin"] },
    }],
    ["chat-rooms", { event: "roomCreated", data: { name: "forged" } }],
    ["herald.logs", { data: { level: "error", message: "DISK FULL" } }],
    ["flights", { event: "flightsPaused", data: { paused: true } }],
    ["notifications", {
      data: { message: "x".repeat(60_000), sender: "admin" },
    }],
  ];
  await pool(ctx.scale.forged * forgeries.length, 4, async (i) => {
    const [channel, body] = forgeries[i % forgeries.length];
    const { head, body: bytes } = postRequest(
      `/api/channels/${channel}/messages`,
      ctx.port,
      JSON_TYPE,
      JSON.stringify(body),
    );
    const answer = await rawRequest({
      port: ctx.port,
      from: ADDRESS.forged,
      head,
      body: bytes,
    });
    c.add(answer.error ? "refused" : answer.status || "closed");
  });
}

/** Chat floods from one address: room creation and messages. */
async function chatFloods(ctx: WaveContext) {
  const rooms = counter(ctx, "room creation flood");
  const messages = counter(ctx, "chat message flood");
  // A member is a session: the flooder takes the cookie a page gives.
  const page = await rawRequest({
    port: ctx.port,
    from: ADDRESS.chat,
    head: requestHead("GET", "/chat", ctx.port),
  });
  const cookie = /^set-cookie: ([^;\r\n]*)/im.exec(page.head)?.[1];
  const post = async (path: string, body: unknown) => {
    const req = postRequest(path, ctx.port, JSON_TYPE, JSON.stringify(body), {
      accept: JSON_TYPE,
      ...(cookie ? { cookie } : {}),
    });
    return await rawRequest({
      port: ctx.port,
      from: ADDRESS.chat,
      head: req.head,
      body: req.body,
    });
  };
  const label = (a: { status: number; error?: string }) =>
    a.error ? "refused" : a.status || "closed";
  await pool(ctx.scale.roomsCreated, 8, async (i) => {
    rooms.add(label(await post("/chat", { room: `flood-${ctx.wave}-${i}` })));
  });
  const joined = await post("/chat/soak-room/join", {
    username: `flooder ${ctx.wave}`,
  });
  messages.add(`join ${label(joined)}`);
  await pool(ctx.scale.chatMessages, 8, async (i) => {
    messages.add(label(
      await post("/chat/soak-room/messages", { text: `flood ${i}` }),
    ));
  });
}

/** Bad resume ids and hostile headers: each must be a 4xx, or a redirect that stays on this site. */
async function hostileHeaders(ctx: WaveContext) {
  const c = counter(ctx, "bad ids and hostile headers");
  const events = "/api/channels/soak-0/events";
  const port = ctx.port;
  const get = (path: string, headers: Record<string, string> = {}) =>
    requestHead("GET", path, port, headers);
  const cases: [string, string][] = [
    ["id not-an-id", get(events, { "last-event-id": "not-an-id" })],
    ["id 10 KB", get(events, { "last-event-id": "9".repeat(10_000) })],
    ["id -1", get(events, { "last-event-id": "-1" })],
    ["id NUL LF", get(`${events}?lastEventId=%00%0a`)],
    ["clock id 0", get("/api/clock", { "last-event-id": "0" })],
    ["200 KB header", get("/about", { "x-big": "b".repeat(200 * 1024) })],
    [
      "2000 headers",
      get(
        "/about",
        Object.fromEntries(
          Array.from({ length: 2000 }, (_, i) => [`x-h${i}`, "v"]),
        ),
      ),
    ],
    ["limit 99999999", get("/api/channels/soak-0/messages?limit=99999999")],
    [
      "5000 channels",
      get(
        "/api/events?" +
          Array.from({ length: 5000 }, (_, i) => `channel=c${i}`).join("&"),
      ),
    ],
    [
      "X-Forwarded-Host",
      get("/chat/", { "x-forwarded-host": "evil.example" }),
    ],
    [
      "Host evil",
      "GET /chat/ HTTP/1.1\r\nHost: evil.example\r\nconnection: close\r\n\r\n",
    ],
  ];
  for (let round = 0; round < ctx.scale.hostileHeaders; round++) {
    for (const [name, head] of cases) {
      const answer = await rawRequest({
        port,
        from: ADDRESS.headers,
        head,
        timeoutMs: 5000,
      });
      const location = /\r\nlocation:\s*(\S+)/i.exec(answer.head)?.[1];
      if (location?.includes("evil")) c.add(`${name}: redirect to evil`);
      else {
        c.add(
          `${name}: ${answer.error ? "refused" : answer.status || "closed"}`,
        );
      }
    }
  }
}

/** One wave: every attack at once, held for `holdMs`. */
export async function runWave(ctx: WaveContext): Promise<void> {
  await Promise.all([
    ...heldAttacks(ctx).map((spec) => holdConnections(ctx, spec)),
    bodies(ctx),
    forged(ctx),
    chatFloods(ctx),
    hostileHeaders(ctx),
  ]);
}

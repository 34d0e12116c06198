/**
 * The outgoing side of one SSE stream: a byte stream with a bounded buffer; a client
 * that lets it fill is cut off and resumes with `Last-Event-ID`.
 *
 * @module
 */

/** Why a stream ended. */
export type CloseReason =
  | "client gone"
  | "too slow"
  | "broker error"
  | "hub closed"
  /** The broker found history trimmed past a channel's live position: the
   * client resumes with `Last-Event-ID` and gets `event: gap`. */
  | "lost events"
  /** The stream's end time came (the token it was opened with expired). */
  | "expired"
  | "done";

/** How often a waiting replay looks for room again, ms (doubling while stuck). */
const ROOM_POLL_MS = 5;
const ROOM_POLL_MAX_MS = 200;

export class Outbox {
  readonly readable: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #closed = false;

  constructor(
    readonly limitBytes: number,
    private readonly onClose: (reason: CloseReason) => void,
  ) {
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        // No `pull`: the stream would call it after every chunk the client
        // takes, a promise per delivery on the hot path (the benchmark found
        // it cost Herald half its throughput at 10,000 streams). Only a replay
        // waits for room, and it polls.
        cancel: () => this.close("client gone"),
      },
      // High-water mark 0, chunks counted in bytes: desiredSize is minus the
      // bytes queued. With the budget as the mark instead, desiredSize stayed
      // positive and the stream ran its (default) pull algorithm, a promise
      // and its reactions, after every enqueue and every read.
      { highWaterMark: 0, size: (chunk) => chunk.byteLength },
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes queued and not yet read by the client. */
  get queuedBytes(): number {
    return -(this.#controller.desiredSize ?? 0);
  }

  /** True when `bytes` can be queued now without passing the limit. */
  hasRoom(bytes: number): boolean {
    const queued = -(this.#controller.desiredSize ?? 0);
    return queued + bytes <= this.limitBytes || queued === 0;
  }

  /**
   * Resolves once `bytes` fit (or the outbox closed): a replay waits here, so
   * history goes out at the pace of the client instead of overflowing. A
   * client that takes nothing for `stallMs` is cut ("too slow").
   */
  async waitForRoom(bytes: number, stallMs = Infinity): Promise<void> {
    let queued = this.queuedBytes;
    let since = Date.now();
    let delay = ROOM_POLL_MS;
    while (!this.#closed && !this.hasRoom(bytes)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      const now = this.queuedBytes;
      if (now < queued) {
        since = Date.now();
        delay = ROOM_POLL_MS;
      } else if (Date.now() - since >= stallMs) {
        this.close("too slow");
      } else {
        delay = Math.min(delay * 2, ROOM_POLL_MAX_MS);
      }
      queued = now;
    }
  }

  /** Queues bytes; a full buffer disconnects the stream. False when closed. */
  send(bytes: Uint8Array): boolean {
    if (this.#closed) return false;
    // One block larger than the whole buffer still goes out on an empty queue.
    if (!this.hasRoom(bytes.byteLength)) {
      this.close("too slow");
      return false;
    }
    try {
      this.#controller.enqueue(bytes);
    } catch {
      // The connection ended the body without cancelling it (no cancel call):
      // the client is gone, and a throw here would break the fan-out.
      this.close("client gone");
      return false;
    }
    return true;
  }

  /** Ends the stream once; "too slow" drops the queue, other reasons let it drain. */
  close(reason: CloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (reason === "too slow") {
        this.#controller.error(new Error("subscriber too slow"));
      } else if (reason !== "client gone") {
        this.#controller.close();
      }
    } catch {
      // Already cancelled by the reader.
    }
    this.onClose(reason);
  }
}

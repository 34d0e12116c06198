/**
 * ONE heartbeat timer for every stream of a hub, running only while a stream is open.
 *
 * @module
 */
import { encodeComment } from "../sse/encode.ts";

const HEARTBEAT_BYTES = encodeComment("heartbeat");

export interface HeartbeatTarget {
  send(bytes: Uint8Array): boolean;
}

export class Heartbeat {
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Ticks so far (for tests). */
  ticks = 0;

  constructor(
    readonly intervalMs: number,
    private readonly targets: () => Iterable<HeartbeatTarget>,
  ) {}

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts the timer when streams are open, stops it when none are. */
  update(openStreams: number): void {
    if (openStreams > 0 && this.#timer === undefined) {
      this.#timer = setInterval(() => this.#tick(), this.intervalMs);
    } else if (openStreams === 0) {
      this.stop();
    }
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    this.ticks++;
    // Copy first: a send may close a slow stream and change the set.
    for (const target of [...this.targets()]) target.send(HEARTBEAT_BYTES);
  }
}

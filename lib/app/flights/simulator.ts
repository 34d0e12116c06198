/**
 * Runs the flight simulation in exactly one process of a deployment, by a lease in the
 * app store that another process takes over when the holder stops renewing.
 *
 * @module
 */
import { Lease } from "../store/lease.ts";
import type { FlightBoard } from "./board.ts";
import type { SimulatorStatus } from "./types.ts";

export const LEASE_KEY = ["flights", "lease"];

export interface SimulatorOptions {
  /** How often the leader changes the board, ms. */
  tickMs: number;
  /** Lease TTL, ms; renewed every third of it. */
  leaseMs: number;
  /** This process's id; default random. */
  processId?: string;
  /** Called when a tick or the lease check fails (the loop goes on). */
  onError?: (err: unknown) => void;
  /** Called when this process takes or loses the lease. */
  onLeaderChange?: (leader: boolean) => void;
}

export class FlightSimulator {
  readonly processId: string;
  #lease: Lease;
  #timers: ReturnType<typeof setInterval>[] = [];
  #ticks = 0;
  #running: Promise<void> = Promise.resolve();
  #started = false;

  constructor(readonly board: FlightBoard, readonly opts: SimulatorOptions) {
    this.processId = opts.processId ?? crypto.randomUUID();
    this.#lease = new Lease(
      board.store,
      LEASE_KEY,
      this.processId,
      opts.leaseMs,
    );
  }

  get leader(): boolean {
    return this.#lease.held;
  }

  /** Starts competing for the lease and, once held, ticking. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#serially(() => this.#checkLease());
    this.#timers.push(
      setInterval(
        () => this.#serially(() => this.#checkLease()),
        Math.max(50, Math.floor(this.opts.leaseMs / 3)),
      ),
      setInterval(() => this.#serially(() => this.#tick()), this.opts.tickMs),
    );
  }

  /** Runs jobs one at a time, so a slow store never piles up overlapping ticks. */
  #serially(job: () => Promise<void>) {
    this.#running = this.#running.then(job).catch((err) =>
      this.opts.onError?.(err)
    );
  }

  async #checkLease() {
    const before = this.#lease.held;
    const after = await this.#lease.tryHold();
    if (before !== after) this.opts.onLeaderChange?.(after);
  }

  async #tick() {
    if (!this.#lease.held) return;
    this.#ticks++;
    await this.board.advance();
  }

  /** Stops ticking and releases the lease so another process takes over at once. */
  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    await this.#running;
    if (this.#started) await this.#lease.release().catch(() => {});
    this.#started = false;
  }

  async status(): Promise<SimulatorStatus> {
    const [board, leaseHolder] = await Promise.all([
      this.board.get(),
      this.#lease.currentHolder(),
    ]);
    return {
      processId: this.processId,
      enabled: this.#started,
      // Both facts from one moment: held as of the last check, and still ours in the store.
      leader: this.#lease.held && leaseHolder === this.processId,
      leaseHolder,
      ticks: this.#ticks,
      paused: board.paused,
      seq: board.seq,
    };
  }
}

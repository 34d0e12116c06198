/**
 * A lease in the app store: at most one holder at a time across every process sharing
 * the store, renewed before its TTL runs out.
 *
 * @module
 */
import type { AppStore, StoreKey } from "./types.ts";

export class Lease {
  #held = false;

  constructor(
    readonly store: AppStore,
    readonly key: StoreKey,
    /** This process's id, stored as the lease's value. */
    readonly holder: string,
    readonly ttlMs: number,
  ) {}

  /** True while this process believes it holds the lease (as of the last call). */
  get held(): boolean {
    return this.#held;
  }

  /** Renews the lease when held, else takes it when free; true when held after the call. */
  async tryHold(): Promise<boolean> {
    const opts = { ttlMs: this.ttlMs };
    if (
      this.#held &&
      await this.store.compareAndSet(this.key, this.holder, this.holder, opts)
    ) {
      return true;
    }
    this.#held = await this.store.setIfAbsent(this.key, this.holder, opts);
    return this.#held;
  }

  /** The current holder's id, or null when nobody holds it. */
  currentHolder(): Promise<string | null> {
    return this.store.get<string>(this.key);
  }

  /** Gives the lease up (only if this process holds it), so another can take it at once. */
  async release(): Promise<void> {
    this.#held = false;
    await this.store.deleteIf(this.key, this.holder);
  }
}

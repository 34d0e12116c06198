/**
 * The error a broker throws when its store cannot be reached right now
 * (Redis down, KV closed). The HTTP layer answers it with a 503; a stream
 * closes and lets the client retry.
 *
 * @example
 * ```ts
 * try { await broker.publish("room:1", { data: "hi" }); }
 * catch (e) { if (e instanceof BrokerUnavailableError) return unavailable(e.message); throw e; }
 * ```
 * @module
 */

export class BrokerUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokerUnavailableError";
  }
}

/** Thrown by any call on a broker after `close()`. */
export class BrokerClosedError extends BrokerUnavailableError {
  constructor(broker: string) {
    super(`${broker} broker is closed`);
    this.name = "BrokerClosedError";
  }
}

/**
 * Thrown by `publish` when the store cannot hold an event this large (the kv
 * broker: a KV value is at most 64 KiB). The HTTP layer answers 413; the
 * broker stays healthy.
 */
export class PayloadTooLargeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PayloadTooLargeError";
  }
}

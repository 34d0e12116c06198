/**
 * The errors a broker throws: its store is unreachable now (HTTP 503; a stream closes
 * and the client retries), or an event is too large for it (413).
 *
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

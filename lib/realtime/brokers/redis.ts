/**
 * Placeholder: the redis broker lands in the next commit.
 *
 * @module
 */
import type { Broker } from "../types.ts";
import type { RedisBrokerOptions } from "./options.ts";

export class RedisBroker {
  static connect(_options: RedisBrokerOptions): Promise<Broker> {
    return Promise.reject(new Error("the redis broker is not built yet"));
  }
}

/**
 * Placeholder: the kv broker lands in the next commit.
 *
 * @module
 */
import type { Broker } from "../types.ts";
import type { KvBrokerOptions } from "./options.ts";

export class KvBroker {
  static open(_options: KvBrokerOptions): Promise<Broker> {
    return Promise.reject(new Error("the kv broker is not built yet"));
  }
}

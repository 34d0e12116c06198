/**
 * Runs a synchronous broker operation as a promise, so a thrown error becomes a
 * rejection as in an async broker.
 *
 * @module
 */
export function settled<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

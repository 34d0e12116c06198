/**
 * A response body of bytes already in memory, handed out as the client reads, cut at a
 * deadline; `onDone` runs once either way (a history slot is freed).
 *
 * @module
 */

const SLICE_BYTES = 64 * 1024;

export function boundedBody(
  bytes: Uint8Array,
  opts: { deadlineMs: number; onDone: () => void },
): ReadableStream<Uint8Array> {
  let offset = 0;
  let done = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    opts.onDone();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setTimeout(() => {
        try {
          controller.error(new Error("response not taken in time"));
        } catch { /* already closed */ }
        finish();
      }, opts.deadlineMs);
    },
    pull(controller) {
      if (done) return;
      // A copy: a slice waiting in the socket does not keep the whole page alive.
      controller.enqueue(bytes.slice(offset, offset + SLICE_BYTES));
      offset += SLICE_BYTES;
      if (offset >= bytes.byteLength) {
        controller.close();
        finish();
      }
    },
    cancel: finish,
  }, { highWaterMark: 0 });
}

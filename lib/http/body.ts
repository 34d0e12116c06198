/**
 * Reads a request body with a byte limit: a larger `Content-Length` is refused before
 * reading, and reading stops (413) once the limit is passed.
 *
 * @module
 */
import { HttpError } from "./error.ts";

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    "payload_too_large",
    `request body exceeds ${limit} bytes`,
  );
}

/** The client closed the connection before the body's end. */
function incomplete(): HttpError {
  return new HttpError(
    400,
    "incomplete_body",
    "request body ended before its declared length",
  );
}

export async function readBodyLimited(
  req: Request,
  limit: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    await req.body?.cancel().catch(() => {});
    throw tooLarge(limit);
  }
  if (req.headers.has("content-length")) {
    // A declared length bounds the body: read whole, without `req.body`
    // (which would wrap bytes the body guard already read in a JS stream).
    const bytes = await req.bytes().catch(() => {
      throw incomplete();
    });
    if (bytes.byteLength > limit) throw tooLarge(limit);
    return bytes;
  }
  if (!req.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read().catch(() => {
        throw incomplete();
      });
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

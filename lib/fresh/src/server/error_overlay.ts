/**
 * Dev's error overlay: a full-window iframe over the page showing an error's
 * message, where it was thrown (with the source lines around it when the
 * server can read them) and its stack. Server errors embed it in the `_500`
 * page (`srcdoc`); the dev client script opens `/_frsh/error_overlay` for an
 * island's error. Every text is escaped. Never used in production.
 *
 * @module
 */
import { relative } from "node:path";
import { fromFileUrl } from "../build/paths.ts";
import type { PluginRoute } from "../types.ts";
import { escapeHtml } from "./render/escape_html.ts";

export const ERROR_OVERLAY_URL = "/_frsh/error_overlay";
export const ERROR_OVERLAY_FRAME_ID = "fresh-error-overlay";
export const ERROR_OVERLAY_FRAME_STYLE =
  "position:fixed;inset:0;width:100%;height:100%;border:0;" +
  "z-index:2147483647;background:transparent";

/** What the overlay shows. */
export interface OverlayError {
  /** e.g. `GET /boom failed`, `Island counter failed`. */
  title: string;
  message: string;
  /** The stack without its first line (that repeats the message). */
  stack: string;
  /** `file:line:column` of the first frame outside node_modules. */
  location?: string;
  /** The source lines around {@link location}, the thrown-at line marked. */
  codeFrame?: string;
}

/** Longest text taken from a query or an error (a stack can be huge). */
const MAX_TEXT = 8_000;
/** Lines shown before and after the line that threw. */
const FRAME_CONTEXT = 2;
/** `(url:line:column)` or `at url:line:column` in a V8 stack line. */
const FRAME = /((?:file|https?):\/\/[^\s()]+):(\d+):(\d+)\)?\s*$/;

interface Frame {
  url: string;
  line: number;
  column: number;
}

/** The first stack frame outside node_modules. */
function firstFrame(stack: string): Frame | null {
  for (const text of stack.split("\n")) {
    const m = FRAME.exec(text);
    if (m && !m[1].includes("/node_modules/")) {
      return { url: m[1], line: Number(m[2]), column: Number(m[3]) };
    }
  }
  return null;
}

/** A V8 stack without its head, which repeats `message` (`Name: message`). */
function framesOnly(stack: string, message: string): string {
  return (stack.startsWith(message) ? stack.slice(message.length) : stack)
    .replace(/^\n/, "").slice(0, MAX_TEXT);
}

/** Source lines around `line` (1-based), the line itself marked and a caret under `column`. */
export function codeFrame(source: string, line: number, column: number) {
  const lines = source.split("\n");
  const first = Math.max(1, line - FRAME_CONTEXT);
  let last = Math.min(lines.length, line + FRAME_CONTEXT);
  while (last > line && lines[last - 1].trim() === "") last--;
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = lines[n - 1].replace(/\t/g, "  ").slice(0, 200);
    out.push(
      `${n === line ? ">" : " "} ${String(n).padStart(width)} | ${text}`,
    );
    if (n === line) {
      out.push(
        `  ${" ".repeat(width)} | ${" ".repeat(Math.max(0, column - 1))}^`,
      );
    }
  }
  return out.join("\n");
}

/** The overlay of an error the server caught; `root` shortens file paths. */
export async function describeServerError(
  err: unknown,
  title: string,
  root: string,
): Promise<OverlayError> {
  const message = err instanceof Error
    ? `${err.name}: ${err.message}`
    : String(err);
  const stack = err instanceof Error
    ? framesOnly(err.stack ?? "", message)
    : "";
  const frame = firstFrame(stack);
  if (!frame?.url.startsWith("file:")) {
    return { title, message: message.slice(0, MAX_TEXT), stack };
  }
  const path = fromFileUrl(frame.url);
  const shown = path.startsWith(root + "/") ? relative(root, path) : path;
  let frameText: string | undefined;
  try {
    // The path comes from the error's own stack, never from the request.
    const source = await Deno.readTextFile(path);
    frameText = codeFrame(source, frame.line, frame.column);
  } catch { /* no read permission, or the file changed: no code frame */ }
  return {
    title,
    message: message.slice(0, MAX_TEXT),
    stack,
    location: `${shown}:${frame.line}:${frame.column}`,
    codeFrame: frameText,
  };
}

/** The overlay of an island's error, from what the browser sent. */
function describeIslandError(query: URLSearchParams): OverlayError {
  const text = (name: string) => (query.get(name) ?? "").slice(0, MAX_TEXT);
  const message = text("message");
  const stack = framesOnly(text("stack"), message);
  const frame = firstFrame(stack);
  return {
    title: `Island ${text("island") || "(unknown)"} failed`,
    message,
    stack,
    location: frame
      ? `${new URL(frame.url).pathname}:${frame.line}:${frame.column}`
      : undefined,
  };
}

const STYLE = `
:root{color-scheme:light dark;font:15px/1.5 system-ui,sans-serif}
body{margin:0;background:rgba(0,0,0,.55)}
main{box-sizing:border-box;max-width:960px;max-height:calc(100vh - 4rem);
overflow:auto;margin:2rem auto;padding:1.5rem 2rem;background:Canvas;color:CanvasText;
border-top:6px solid #e84644;border-radius:6px;box-shadow:0 8px 40px rgba(0,0,0,.4)}
h1{margin:0 0 .25rem;font-size:1rem;color:#e84644}
#message{font-size:1.15rem;font-weight:600;white-space:pre-wrap;margin:.25rem 0 1rem}
#location{font-family:ui-monospace,monospace;opacity:.8}
pre{overflow:auto;padding:.75rem 1rem;border-radius:4px;background:rgba(127,127,127,.12);
font:13px/1.45 ui-monospace,monospace}
#code-frame{background:rgba(232,70,68,.12)}
button{float:right;font:inherit;border:0;background:none;cursor:pointer;font-size:1.4rem}
`;

/** The overlay as a full HTML document (what goes into the iframe). */
export function overlayDocument(e: OverlayError): string {
  const section = (id: string, text: string | undefined) =>
    text ? `<pre id="${id}">${escapeHtml(text)}</pre>` : "";
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
    `<title>${escapeHtml(e.title)}</title><style>${STYLE}</style></head>` +
    `<body><main role="alertdialog" aria-labelledby="title">` +
    `<button type="button" id="close" aria-label="Close" ` +
    `onclick="frameElement&&frameElement.remove()">×</button>` +
    `<h1 id="title">${escapeHtml(e.title)}</h1>` +
    `<p id="message">${escapeHtml(e.message)}</p>` +
    (e.location ? `<p id="location">${escapeHtml(e.location)}</p>` : "") +
    section("code-frame", e.codeFrame) + section("stack", e.stack) +
    `</main><script>addEventListener("keydown",(k)=>{` +
    `if(k.key==="Escape"&&frameElement)frameElement.remove()})</script>` +
    `</body></html>`;
}

/** The overlay iframe for the end of a page's `<body>`. */
export function overlayFrame(e: OverlayError): string {
  return `<iframe id="${ERROR_OVERLAY_FRAME_ID}" title="Error overlay" ` +
    `style="${ERROR_OVERLAY_FRAME_STYLE}" ` +
    `srcdoc="${escapeHtml(overlayDocument(e))}"></iframe>`;
}

/** `GET /_frsh/error_overlay?island=&message=&stack=`: an island's overlay (dev only). */
export const errorOverlayRoute: PluginRoute = {
  path: ERROR_OVERLAY_URL,
  handler: (req) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response(`${req.method} is not allowed here; use GET`, {
        status: 405,
        headers: { allow: "GET, HEAD", "content-type": "text/plain" },
      });
    }
    const query = new URL(req.url).searchParams;
    return new Response(overlayDocument(describeIslandError(query)), {
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
      },
    });
  },
};

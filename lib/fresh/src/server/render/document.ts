/**
 * Puts a rendered page into a full HTML document (`<head>` content, preload links,
 * scripts at the end of `<body>`).
 *
 * @module
 */

const DEFAULT_HEAD = '<meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1.0">';

export interface DocumentParts {
  /** What the page (with `_app` and layouts) rendered. */
  body: string;
  /** The page's `<title>` element, replacing any in the app's `<head>`. */
  title?: string | null;
  /** Extra HTML for `<head>`. */
  head: string;
  /** Scripts for the end of `<body>`. */
  scripts: string;
}

/** A `<title>` element (its text is escaped, so it holds no `</title>`). */
const TITLE = /<title(\s[^>]*)?>[\s\S]*?<\/title>/gi;

export function htmlDocument(
  { body, title, head, scripts }: DocumentParts,
): string {
  title ??= "";
  // Rendered text is escaped, so these tags can only be real elements.
  if (!/^\s*<html[\s>]/i.test(body)) {
    return `<!DOCTYPE html><html><head>${DEFAULT_HEAD}${title}${head}</head>` +
      `<body>${body}${scripts}</body></html>`;
  }
  let html = body;
  const headEnd = html.search(/<\/head>/i);
  if (headEnd !== -1) {
    const ownHead = html.slice(0, headEnd);
    const defaults = /<meta[^>]+charset/i.test(ownHead) ? "" : DEFAULT_HEAD;
    const headStart = html.search(/<head(\s[^>]*)?>/i);
    const afterOpen = headStart === -1
      ? headEnd
      : headStart + html.slice(headStart).indexOf(">") + 1;
    let appHead = html.slice(afterOpen, headEnd);
    if (title) appHead = appHead.replace(TITLE, "");
    html = html.slice(0, afterOpen) + defaults + title + appHead + head +
      html.slice(headEnd);
  } else {
    const htmlOpenEnd = html.indexOf(">") + 1;
    html = html.slice(0, htmlOpenEnd) +
      `<head>${DEFAULT_HEAD}${title}${head}</head>` + html.slice(htmlOpenEnd);
  }
  const bodyEnd = html.search(/<\/body>\s*<\/html>\s*$/i);
  if (bodyEnd !== -1) {
    html = html.slice(0, bodyEnd) + scripts + html.slice(bodyEnd);
  } else {
    const htmlEnd = html.search(/<\/html>\s*$/i);
    html = htmlEnd === -1
      ? html + scripts
      : html.slice(0, htmlEnd) + scripts + html.slice(htmlEnd);
  }
  return `<!DOCTYPE html>${html}`;
}

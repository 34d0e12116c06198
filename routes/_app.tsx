/**
 * The HTML document around every page: language, viewport for phones, the
 * Tailwind stylesheet (fingerprinted through `asset`) and the body.
 *
 * @module
 */
import { asset } from "$fresh/runtime.ts";
import type { AppProps } from "$fresh/server.ts";

export default function App({ Component }: AppProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        {/* No favicon file: an empty one saves every page a 404. */}
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={asset("/styles.css")} />
      </head>
      <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <Component />
      </body>
    </html>
  );
}

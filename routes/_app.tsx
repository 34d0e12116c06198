/**
 * The HTML document around every page: language, viewport for phones, the
 * server's channels-per-stream cap for the page stream, the Tailwind stylesheet
 * and the icon (fingerprinted through `asset`; `/favicon.ico` too for browsers
 * and tools that ask for it) and the body.
 *
 * @module
 */
import { asset } from "$fresh/runtime.ts";
import type { AppProps } from "$fresh/server.ts";
import type { AppState } from "../lib/app/services.ts";
import { MAX_CHANNELS_META } from "../lib/client/stream.ts";

export default function App({ Component, state }: AppProps<unknown, AppState>) {
  // The page stream spreads its channels over connections within the server's cap.
  const maxChannels = state.config?.herald.maxChannelsPerStream;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        {maxChannels && (
          <meta name={MAX_CHANNELS_META} content={String(maxChannels)} />
        )}
        <link rel="icon" href={asset("/favicon.svg")} type="image/svg+xml" />
        <link rel="stylesheet" href={asset("/styles.css")} />
      </head>
      <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <Component />
      </body>
    </html>
  );
}

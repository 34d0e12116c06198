/**
 * What Herald is. A plain server-rendered page: no islands, so it ships no
 * JavaScript at all.
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";

export default function About() {
  return (
    <>
      <Head>
        <title>About · Herald</title>
      </Head>
      <article class="max-w-2xl space-y-4 text-slate-700">
        <h1 class="text-2xl font-bold text-slate-900">About Herald</h1>
        <p>
          Herald is real-time publish/subscribe for the web. Anyone may publish
          a message to a channel; every page that listens to that channel shows
          it within a moment, over Server-Sent Events.
        </p>
        <h2 class="text-lg font-semibold text-slate-900">How it works</h2>
        <ul class="list-disc space-y-1 pl-5">
          <li>
            Pages are rendered on the server with the latest messages from the
            channel's history, then kept live by small interactive islands.
          </li>
          <li>
            A page opens one event stream for all its channels, and the tabs of
            one browser share a single connection.
          </li>
          <li>
            After a dropped connection, the stream resumes from the last event
            it saw, so nothing is missed and nothing is shown twice.
          </li>
          <li>
            Messages travel through a pluggable broker: Redis, Deno KV, a
            BroadcastChannel or memory, so several servers can share the load.
          </li>
        </ul>
        <h2 class="text-lg font-semibold text-slate-900">The API</h2>
        <dl class="space-y-2">
          <div>
            <dt class="font-mono text-sm text-slate-900 break-words">
              GET /api/events?channel=a&amp;channel=b
            </dt>
            <dd>a live stream of several channels</dd>
          </div>
          <div>
            <dt class="font-mono text-sm text-slate-900 break-words">
              POST /api/channels/&#123;channel&#125;/messages
            </dt>
            <dd>publish a message</dd>
          </div>
          <div>
            <dt class="font-mono text-sm text-slate-900 break-words">
              GET /api/channels/&#123;channel&#125;/messages
            </dt>
            <dd>read a channel's history</dd>
          </div>
        </dl>
      </article>
    </>
  );
}

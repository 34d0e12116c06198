/**
 * Herald behind a password-protected proxy (HTTP Basic, e.g. a staging site
 * behind nginx `auth_basic`): the browser sends `Authorization: Basic …` with
 * every request and the proxy passes it on. The page's stream and its posts
 * must work as they do without it.
 */
import assert from "node:assert/strict";
import { startApp } from "../_support/app.ts";
import { SseReader } from "../_support/sse_parser.ts";

const BASIC = `Basic ${btoa("staging:s3cret")}`;

Deno.test({
  name: "behind HTTP Basic auth a page's stream and posts work",
  async fn() {
    await using app = await startApp({ env: { HERALD_BROKER: "memory" } });
    const page = await fetch(`${app.url}/`, {
      headers: { authorization: BASIC },
    });
    await page.body?.cancel();
    const cookie = page.headers.get("set-cookie")!.split(";")[0];
    const headers = {
      authorization: BASIC,
      cookie,
      "sec-fetch-site": "same-origin",
    };

    const stream = await fetch(`${app.url}/api/events?channel=news`, {
      headers,
    });
    if (stream.status !== 200) {
      const text = await stream.text();
      assert.fail(`stream: ${stream.status} ${text}`);
    }
    const sse = new SseReader(stream.body!);
    try {
      const published = await fetch(`${app.url}/api/channels/news/messages`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ data: { title: "hello" } }),
      });
      assert.equal(published.status, 201, await published.text());
      const event = await sse.nextEvent(30_000);
      assert.deepEqual(JSON.parse(event!.data).data, { title: "hello" });
    } finally {
      await sse.cancel();
    }
  },
});

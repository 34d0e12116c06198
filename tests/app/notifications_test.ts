/**
 * The notifications logic without a browser: input checks, the country
 * header, reading any event as a notification, and `POST /notifications`
 * (JSON and plain form) against the in-memory broker.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import { MemoryBroker } from "../../lib/realtime/brokers/memory.ts";
import { HttpError } from "../../lib/http/error.ts";
import {
  parseNotificationInput,
  toNotification,
} from "../../lib/app/notifications/notification.ts";
import {
  countryHeaders,
  countryOf,
  flagOf,
} from "../../lib/app/notifications/country.ts";
import { postNotification } from "../../lib/app/notifications/publish.ts";
import { HeraldLog } from "../../lib/realtime/observe.ts";
import { accessConfigFromEnv, createAccess } from "../../lib/access/mod.ts";
import { loadNotificationsPage } from "../../lib/app/notifications/page.ts";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import PublishForm from "../../islands/PublishForm.tsx";

// Default limits, as a deployment without settings has.
const access = createAccess(accessConfigFromEnv({}));
const session = { id: "anon-abc", name: "Calm Heron 12" };

Deno.test("input: message required, bounded, kind and audience checked", () => {
  assertEquals(parseNotificationInput({ message: "  hi  " }), {
    message: "hi",
    kind: "info",
    to: "everyone",
  });
  const code = (raw: Record<string, unknown>) => {
    try {
      parseNotificationInput(raw);
    } catch (err) {
      assert(err instanceof HttpError);
      assertEquals(err.status, 400);
      return err.code;
    }
    return "accepted";
  };
  assertEquals(code({ message: "   " }), "message_required");
  assertEquals(code({ message: "x".repeat(501) }), "message_too_long");
  assertEquals(code({ message: "x", kind: "shout" }), "invalid_kind");
  assertEquals(code({ message: "x", to: "them" }), "invalid_audience");
  assertThrows(() => parseNotificationInput({ message: 42 }));
});

Deno.test("country: configured header first, only two-letter codes", () => {
  const req = (headers: Record<string, string>) =>
    new Request("http://x/", { headers });
  const defaults = countryHeaders(undefined);
  assertEquals(countryOf(req({ "cf-ipcountry": "de" }), defaults), "DE");
  assertEquals(countryOf(req({ "x-vercel-ip-country": "FR" }), defaults), "FR");
  assertEquals(countryOf(req({ "cf-ipcountry": "XX" }), defaults), null);
  assertEquals(countryOf(req({ "x-country": "<b>" }), defaults), null);
  assertEquals(countryOf(req({}), defaults), null);
  const custom = countryHeaders("X-Geo-Country");
  assertEquals(custom, ["x-geo-country"]);
  assertEquals(
    countryOf(req({ "x-geo-country": "jp", "x-country": "DE" }), custom),
    "JP",
  );
  assertEquals(flagOf("DE"), "🇩🇪");
});

Deno.test("any event reads as a notification", () => {
  const base = { id: "1", channel: "notifications", event: "message", time: 5 };
  assertEquals(
    toNotification({ ...base, data: "plain text" }).message,
    "plain text",
  );
  const full = toNotification({
    ...base,
    data: { message: "m", kind: "error", sender: "s", country: "NL" },
  });
  assertEquals(
    [full.message, full.kind, full.sender, full.country],
    ["m", "error", "s", "NL"],
  );
  const odd = toNotification({ ...base, data: { kind: "loud", n: 1 } });
  assertEquals([odd.message, odd.kind], ['{"kind":"loud","n":1}', "info"]);
});

function post(body: string, headers: Record<string, string>) {
  return new Request("http://herald.test/notifications", {
    method: "POST",
    body,
    headers,
  });
}

Deno.test("JSON post publishes with sender and country, answers 201", async () => {
  const broker = new MemoryBroker();
  try {
    const res = await postNotification(
      post(JSON.stringify({ message: "Deployed", kind: "success" }), {
        "content-type": "application/json",
        "cf-ipcountry": "SE",
      }),
      { broker, session, access, log: new HeraldLog() },
    );
    assertEquals(res.status, 201);
    const { id, channel } = await res.json();
    assertEquals(channel, "notifications");
    const [event] = await broker.history("notifications");
    assertEquals(event.id, id);
    assertEquals(event.data, {
      message: "Deployed",
      kind: "success",
      sender: "Calm Heron 12",
      country: "SE",
    });
  } finally {
    await broker.close();
  }
});

Deno.test("JSON post with a bad message answers the JSON error", async () => {
  const broker = new MemoryBroker();
  try {
    const res = await postNotification(
      post(JSON.stringify({ message: " " }), {
        "content-type": "application/json",
      }),
      { broker, session, access, log: new HeraldLog() },
    );
    assertEquals(res.status, 400);
    assertEquals((await res.json()).error.code, "message_required");
    assertEquals(await broker.history("notifications"), []);
  } finally {
    await broker.close();
  }
});

Deno.test("form post redirects back 303, errors in the query", async () => {
  const broker = new MemoryBroker();
  const form = { "content-type": "application/x-www-form-urlencoded" };
  try {
    const ok = await postNotification(
      post("message=No+JS+here&kind=warning&to=me", form),
      { broker, session: null, access, log: new HeraldLog() },
    );
    // "Only me" needs a session: back to the page with the code.
    assertEquals(ok.status, 303);
    // The typed text comes back with the error, so nothing typed is lost.
    assertEquals(
      ok.headers.get("location"),
      "/?error=no_session&message=No+JS+here&kind=warning&to=me#publish",
    );

    const sent = await postNotification(
      post("message=No+JS+here&kind=warning", form),
      { broker, session: null, access, log: new HeraldLog() },
    );
    assertEquals(sent.status, 303);
    assert(sent.headers.get("location")!.startsWith("/?published="));
    const [event] = await broker.history("notifications");
    assertEquals(event.data, {
      message: "No JS here",
      kind: "warning",
      sender: null,
      country: null,
    });
  } finally {
    await broker.close();
  }
});

Deno.test("page data: newest first, private feed by session, post outcome", async () => {
  const broker = new MemoryBroker();
  try {
    for (const message of ["one", "two", "three"]) {
      await broker.publish("notifications", { data: { message } });
    }
    await broker.publish("user:anon-abc", { data: { message: "mine" } });
    await broker.publish("user:someone-else", { data: { message: "theirs" } });
    const data = await loadNotificationsPage(
      new URL("http://x/?error=message_required"),
      session,
      broker,
    );
    assertEquals(data.publicFeed.map((n) => n.message), [
      "three",
      "two",
      "one",
    ]);
    assertEquals(data.privateFeed.map((n) => n.message), ["mine"]);
    assertEquals([data.userId, data.error, data.published], [
      "anon-abc",
      "message_required",
      false,
    ]);
    const anonymous = await loadNotificationsPage(
      new URL("http://x/"),
      null,
      broker,
    );
    assertEquals(anonymous.privateFeed, []);
  } finally {
    await broker.close();
  }
});

Deno.test("a failed no-JS post comes back to a form holding what was typed", async () => {
  const broker = new MemoryBroker();
  try {
    const data = await loadNotificationsPage(
      new URL(
        "http://x/?error=rate_limited&message=Keep+%3Cme%3E&kind=warning&to=me",
      ),
      { id: "anon-abc", name: "Ada" },
      broker,
    );
    assertEquals(data.draft, {
      message: "Keep <me>",
      kind: "warning",
      to: "me",
    });
    const html = renderToString(
      h(PublishForm, {
        error: data.error,
        draft: data.draft,
        canSendToSelf: true,
      }),
    );
    assert(/>Keep &lt;me(&gt;|>)<\/textarea>/.test(html), html);
    assert(/<option value="warning" selected/.test(html), html);
    assert(/<option value="me" selected/.test(html), html);
    const fresh = await loadNotificationsPage(
      new URL("http://x/?message=not+after+success"),
      null,
      broker,
    );
    assertEquals(fresh.draft, null, "only an error brings a draft back");
  } finally {
    await broker.close();
  }
});

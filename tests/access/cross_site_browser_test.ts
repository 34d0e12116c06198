/**
 * A page on another site makes a visitor's browser post forms to Herald (the
 * notifications form, the publish API, the flight board's pause, creating a
 * chat room). The session cookie is SameSite=Lax, so the browser sends no
 * cookie with such a post, and a check that looked only for cookies let every
 * one of them through: any site could make its visitors publish to a Herald
 * they can reach (one on their intranet or localhost), each from their own
 * address and with their own rate allowance. Herald must refuse them all,
 * while the same forms still work from Herald's own pages.
 */
import assert from "node:assert/strict";
import { browserTest } from "../_support/browser.ts";

interface HostileForm {
  action: string;
  fields: Record<string, string>;
}

/** A page of another site (`localhost` is another site than `127.0.0.1`). */
function serveHostileSite(forms: HostileForm[]) {
  const html = (form: HostileForm) =>
    `<!doctype html><form method="post" action="${form.action}">${
      Object.entries(form.fields).map(([name, value]) =>
        `<input name="${name}" value="${value}">`
      ).join("")
    }</form><script>document.forms[0].submit()</script>`;
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => {
      const index = Number(new URL(req.url).searchParams.get("form"));
      return new Response(html(forms[index]), {
        headers: { "content-type": "text/html" },
      });
    },
  );
}

browserTest(
  "another site cannot make a visitor's browser post to Herald",
  async ({ app, page }) => {
    const forms: HostileForm[] = [
      {
        action: `${app.url}/notifications`,
        fields: { message: "spam from afar", kind: "info", to: "everyone" },
      },
      {
        action: `${app.url}/api/channels/notifications/messages`,
        fields: { data: "api spam" },
      },
      { action: `${app.url}/flights/pause`, fields: { paused: "true" } },
      { action: `${app.url}/chat`, fields: { room: "spamroom" } },
    ];
    const site = serveHostileSite(forms);
    try {
      // The visitor knows Herald (has its session cookie), then meets the other site.
      await page.goto(`${app.url}/about`);
      const statuses: number[] = [];
      for (let i = 0; i < forms.length; i++) {
        const answered = page.waitForResponse((res) =>
          res.url().startsWith(forms[i].action) &&
          res.request().method() === "POST"
        );
        await page.goto(
          `http://localhost:${site.addr.port}/?form=${i}`,
        );
        statuses.push((await answered).status());
      }
      assert.deepEqual(statuses, [403, 403, 403, 403]);

      const history = await (await fetch(
        `${app.url}/api/channels/notifications/messages`,
      )).json();
      assert.deepEqual(history.events, []);
      const board = await (await fetch(`${app.url}/flights/state`)).json();
      assert.equal(board.paused, false);
      const lobby = await (await fetch(`${app.url}/chat`)).text();
      assert.ok(!lobby.includes("spamroom"));

      // The same form from Herald's own page still works.
      await page.goto(`${app.url}/about`);
      const own = await page.evaluate(async () => {
        const res = await fetch("/api/channels/notifications/messages", {
          method: "POST",
          body: new URLSearchParams({ data: "own page" }),
          redirect: "manual",
        });
        return res.type === "opaqueredirect" ? 303 : res.status;
      });
      assert.equal(own, 303);
    } finally {
      await site.shutdown();
    }
  },
  { app: { env: { HERALD_BROKER: "memory" } } },
);

/**
 * The root and API middlewares, called the way the Fresh runtime calls them
 * (a context with `next`, `state`, `destination`).
 */
import assert from "node:assert/strict";
import type { FreshContext } from "$fresh/server.ts";
import { handler as rootMiddleware } from "../../routes/_middleware.ts";
import { handler as apiMiddleware } from "../../routes/api/_middleware.ts";
import {
  type Access,
  accessConfigFromEnv,
  createAccess,
} from "../../lib/access/mod.ts";

type State = { access: Access } & Record<string, unknown>;

/** The access of the running test (what the services plugin puts in ctx.state). */
let access: Access;

function context(
  next: (state: State) => Response,
  destination: FreshContext["destination"] = "route",
): FreshContext<State> {
  const state: State = { access };
  return {
    state,
    destination,
    next: () => Promise.resolve(next(state)),
  } as unknown as FreshContext<State>;
}

const html = () =>
  new Response("<p>hi</p>", { headers: { "content-type": "text/html" } });

function withEnv(env: Record<string, string>, fn: () => Promise<void>) {
  return async () => {
    access = createAccess(accessConfigFromEnv(env));
    await fn();
  };
}

Deno.test(
  "a first visit gets a session in ctx.state and a cookie that brings it back",
  withEnv({ HERALD_SESSION_SECRET: "s" }, async () => {
    let seen: unknown;
    const first = await rootMiddleware(
      new Request("http://app.test/"),
      context((state) => {
        seen = state.session;
        return html();
      }),
    );
    const cookie = first.headers.get("set-cookie")!;
    assert.match(cookie, /^herald_session=.*HttpOnly; SameSite=Lax$/);
    assert.equal(first.headers.get("x-content-type-options"), "nosniff");
    const session = seen as { id: string; name: string };
    assert.match(session.id, /^anon-/);

    let again: unknown;
    const second = await rootMiddleware(
      new Request("http://app.test/chat", {
        headers: { cookie: cookie.split(";")[0] },
      }),
      context((state) => {
        again = state.session;
        return html();
      }),
    );
    assert.deepEqual(again, session);
    assert.equal(second.headers.get("set-cookie"), null);
  }),
);

Deno.test(
  "a tampered cookie is replaced by a new session",
  withEnv({ HERALD_SESSION_SECRET: "s" }, async () => {
    let seen: { id: string } | undefined;
    const res = await rootMiddleware(
      new Request("http://app.test/", {
        headers: { cookie: "herald_session=v1.eyJpIjoiYWxpY2UifQ.AAAA" },
      }),
      context((state) => {
        seen = state.session as { id: string };
        return html();
      }),
    );
    assert.notEqual(seen?.id, "alice");
    assert.ok(res.headers.get("set-cookie"));
  }),
);

Deno.test(
  "API answers and static files get no session cookie",
  withEnv({ HERALD_SESSION_SECRET: "s" }, async () => {
    const api = await rootMiddleware(
      new Request("http://app.test/api/channels/a/messages"),
      context(() => Response.json([])),
    );
    assert.equal(api.headers.get("set-cookie"), null);
    const file = await rootMiddleware(
      new Request("http://app.test/logo.svg"),
      context(html, "static"),
    );
    assert.equal(file.headers.get("set-cookie"), null);
  }),
);

Deno.test(
  "a cross-site POST carrying the session cookie is refused with 403",
  withEnv({ HERALD_SESSION_SECRET: "s" }, async () => {
    let reached = 0;
    const post = (headers: Record<string, string>) =>
      rootMiddleware(
        new Request("http://app.test/api/channels/chat:lobby/messages", {
          method: "POST",
          headers: { cookie: "herald_session=x", ...headers },
          body: "data=hi",
        }),
        context(() => {
          reached++;
          return new Response(null, { status: 303 });
        }),
      );
    const crossSite = await post({ "sec-fetch-site": "cross-site" });
    assert.equal(crossSite.status, 403);
    assert.equal(
      (await crossSite.json()).error.code,
      "cross_site_request",
    );
    const foreignOrigin = await post({ origin: "https://evil.example" });
    assert.equal(foreignOrigin.status, 403);
    await foreignOrigin.body?.cancel();
    assert.equal(reached, 0);

    const sameOrigin = await post({ "sec-fetch-site": "same-origin" });
    assert.equal(sameOrigin.status, 303);
    const ownOrigin = await post({ origin: "http://app.test" });
    assert.equal(ownOrigin.status, 303);
    assert.equal(reached, 2);
  }),
);

Deno.test(
  "the API middleware answers preflights for allowed origins only",
  withEnv({ HERALD_CORS_ORIGINS: "https://app.example" }, async () => {
    const preflight = (origin: string) =>
      apiMiddleware(
        new Request("http://api.test/api/channels/a/messages", {
          method: "OPTIONS",
          headers: {
            origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, authorization",
          },
        }),
        context(() => {
          throw new Error("a preflight never reaches the route");
        }),
      );
    const ok = await preflight("https://app.example");
    assert.equal(ok.status, 204);
    assert.equal(
      ok.headers.get("access-control-allow-origin"),
      "https://app.example",
    );
    assert.match(
      ok.headers.get("access-control-allow-headers")!,
      /Authorization/,
    );
    assert.equal(ok.headers.get("vary"), "Origin");
    const refused = await preflight("https://evil.example");
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get("access-control-allow-origin"), null);
    await refused.body?.cancel();
  }),
);

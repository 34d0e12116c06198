/**
 * `/admin`: the operations dashboard for the admin (README, Observability); without
 * credentials a 401 with the sign-in form, without an admin token a 404.
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps } from "$fresh/server.ts";
import { Button } from "../../components/Button.tsx";
import { Field, TextInput } from "../../components/Field.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import AdminDashboard from "../../islands/AdminDashboard.tsx";
import { adminCookie } from "../../lib/access/admin.ts";
import { adminEnabled } from "../../lib/app/admin/gate.ts";
import type { AdminView } from "../../lib/app/admin/stats.ts";
import type { AppState } from "../../lib/app/services.ts";
import { errorResponse, HttpError } from "../../lib/http/error.ts";
import { readFields } from "../../lib/http/fields.ts";

type AdminPageData =
  | { signedIn: true; view: AdminView }
  | { signedIn: false; failed: boolean };

const notFound = () =>
  errorResponse(new HttpError(404, "not_found", "not found"));

export const handler: Handlers<AdminPageData, AppState> = {
  async GET(req, ctx) {
    const { access, adminStats } = ctx.state;
    if (!adminEnabled(access) || !adminStats) return notFound();
    if (!(await access.isAdmin(req))) {
      return ctx.render({ signedIn: false, failed: false }, { status: 401 });
    }
    return ctx.render({ signedIn: true, view: adminStats.view() });
  },
  /** The sign-in form: the token → the cookie, then back to GET. */
  async POST(req, ctx) {
    const { access } = ctx.state;
    if (!adminEnabled(access)) return notFound();
    const fields = await readFields(req);
    const shown = typeof fields.token === "string" ? fields.token.trim() : "";
    const cookie = await adminCookie(access.config.adminToken, shown, {
      secure: new URL(req.url).protocol === "https:",
    });
    if (!cookie) {
      return ctx.render({ signedIn: false, failed: true }, { status: 401 });
    }
    return new Response(null, {
      status: 303,
      headers: { location: "/admin", "set-cookie": cookie },
    });
  },
};

function SignIn({ failed }: { failed: boolean }) {
  return (
    <form method="post" action="/admin" class="max-w-md space-y-4">
      <Field
        id="admin-token"
        label="Admin token"
        hint="The value of HERALD_ADMIN_TOKEN. It signs this browser in for 12 hours."
      >
        <TextInput
          id="admin-token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
        />
      </Field>
      {failed && (
        <p role="alert" class="text-red-700">That is not the admin token.</p>
      )}
      <Button type="submit">Sign in</Button>
    </form>
  );
}

export default function AdminPage({ data }: PageProps<AdminPageData>) {
  return (
    <>
      <Head>
        <title>Admin · Herald</title>
      </Head>
      <PageHeader
        title="Admin"
        description={data.signedIn
          ? "Every Herald process, live: streams, messages, latency, broker health and channels."
          : "Sign in with the admin token."}
      />
      {data.signedIn
        ? <AdminDashboard initial={data.view} pollMs={1000} />
        : <SignIn failed={data.failed} />}
    </>
  );
}

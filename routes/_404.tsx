/**
 * The page for an address that does not exist (status 404).
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";
import type { PageProps } from "$fresh/server.ts";

export default function NotFound({ url }: PageProps) {
  return (
    <>
      <Head>
        <title>Not found · Herald</title>
      </Head>
      <h1 class="text-2xl font-bold">Page not found</h1>
      <p class="mt-2 break-words text-slate-600">
        There is nothing at <code class="font-mono">{url.pathname}</code>.
      </p>
      <p class="mt-4">
        <a class="text-sky-700 underline" href="/">Go to the notifications</a>
      </p>
    </>
  );
}

/**
 * The page shown when rendering failed (status 500). It shows no details of
 * the error: those go to the server log, not to visitors.
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";

export default function ServerError() {
  return (
    <>
      <Head>
        <title>Error · Herald</title>
      </Head>
      <h1 class="text-2xl font-bold">Something went wrong</h1>
      <p class="mt-2 text-slate-600">
        The server could not show this page. Please try again in a moment.
      </p>
      <p class="mt-4">
        <a class="text-sky-700 underline" href="/">Go to the notifications</a>
      </p>
    </>
  );
}

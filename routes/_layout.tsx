/**
 * The frame of every page: a skip link (the first thing a keyboard reaches),
 * the header with the navigation, and the main region the skip link targets.
 *
 * @module
 */
import type { LayoutProps } from "$fresh/server.ts";
import { Nav } from "../components/Nav.tsx";

export default function Layout({ Component, url }: LayoutProps) {
  return (
    <>
      <a
        href="#main"
        class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:shadow focus:outline-2 focus:outline-sky-600"
      >
        Skip to content
      </a>
      <header class="border-b border-slate-200 bg-white">
        <div class="mx-auto flex max-w-4xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <a
            href="/"
            class="text-lg font-bold tracking-tight text-sky-800 focus-visible:outline-2 focus-visible:outline-sky-600"
          >
            Herald
          </a>
          <Nav path={url.pathname} />
        </div>
      </header>
      <main
        id="main"
        tabIndex={-1}
        class="mx-auto max-w-4xl px-4 py-6 focus:outline-none"
      >
        <Component />
      </main>
    </>
  );
}

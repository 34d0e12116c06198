/**
 * The site navigation: one link per page, the current one marked with
 * `aria-current="page"`; wraps on a phone instead of scrolling sideways.
 *
 * @module
 */

export interface NavLink {
  href: string;
  label: string;
}

export const NAV_LINKS: readonly NavLink[] = [
  { href: "/", label: "Notifications" },
  { href: "/chat", label: "Chat" },
  { href: "/flights", label: "Arrivals" },
  { href: "/assistant", label: "Assistant" },
  { href: "/logs", label: "Logs" },
  { href: "/clock", label: "Clock" },
  { href: "/about", label: "About" },
];

/** True when `href` is the page at `path` or one of its sub-pages. */
export function isCurrent(href: string, path: string): boolean {
  if (href === "/") return path === "/";
  return path === href || path.startsWith(href + "/");
}

export function Nav({ path }: { path: string }) {
  return (
    <nav aria-label="Main">
      <ul class="flex flex-wrap gap-1">
        {NAV_LINKS.map(({ href, label }) => {
          const current = isCurrent(href, path);
          return (
            <li key={href}>
              <a
                href={href}
                aria-current={current ? "page" : undefined}
                class={`block rounded-md px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 ${
                  current
                    ? "bg-sky-700 text-white"
                    : "text-slate-700 hover:bg-slate-200"
                }`}
              >
                {label}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

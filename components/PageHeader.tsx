/**
 * A page's title row: the heading, an optional description and, on the
 * right, optional extras such as the connection badge.
 *
 * @module
 */
import type { ComponentChildren } from "preact";

export function PageHeader(
  { title, description, children }: {
    title: string;
    description?: string;
    children?: ComponentChildren;
  },
) {
  return (
    <div class="mb-6 flex flex-wrap items-start justify-between gap-3">
      <div class="min-w-0">
        <h1 class="text-2xl font-bold text-slate-900">{title}</h1>
        {description && <p class="mt-1 text-slate-600">{description}</p>}
      </div>
      {children}
    </div>
  );
}

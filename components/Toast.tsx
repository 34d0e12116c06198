/**
 * One toast: a short message with a close button, in a stack fixed to the viewport.
 *
 * @example
 * @example
 * ```tsx
 * <ToastStack><Toast kind="success" onClose={() => dismiss(id)}>Saved</Toast></ToastStack>
 * ```
 *
 * @module
 */
import type { ComponentChildren } from "preact";

export type ToastKind = "info" | "success" | "warning" | "error";

const TONE: Record<ToastKind, string> = {
  info: "border-sky-300 bg-sky-50 text-sky-950",
  success: "border-emerald-300 bg-emerald-50 text-emerald-950",
  warning: "border-amber-300 bg-amber-50 text-amber-950",
  error: "border-red-300 bg-red-50 text-red-950",
};

export function ToastStack({ children }: { children: ComponentChildren }) {
  return (
    <div class="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-center gap-2 p-4 sm:items-end">
      {children}
    </div>
  );
}

export function Toast(
  { kind, onClose, children }: {
    kind: ToastKind;
    onClose: () => void;
    children: ComponentChildren;
  },
) {
  return (
    <div
      role="status"
      data-toast={kind}
      class={`pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-lg border p-3 text-sm shadow-lg ${
        TONE[kind]
      }`}
    >
      <div class="min-w-0 flex-1 break-words">{children}</div>
      <button
        type="button"
        onClick={onClose}
        aria-label="Dismiss notification"
        class="rounded px-1 leading-none text-lg focus-visible:outline-2 focus-visible:outline-sky-600"
      >
        ×
      </button>
    </div>
  );
}

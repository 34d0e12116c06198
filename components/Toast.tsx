/**
 * Toasts: short messages with a close button in a stack fixed to the viewport. On a
 * phone the stack sits at the top, shows only the newest toast, clamped to two
 * lines, and counts the rest, so it never covers a form being filled in below.
 * Errors are alerts (announced at once), the rest polite status messages.
 *
 * @example
 * ```tsx
 * <ToastStack onHold={(held) => held ? timers.pause() : timers.resume()}>
 *   <Toast kind="success" onClose={() => dismiss(id)}>Saved</Toast>
 * </ToastStack>
 * ```
 *
 * @module
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export type ToastKind = "info" | "success" | "warning" | "error";

const TONE: Record<ToastKind, string> = {
  info: "border-sky-300 bg-sky-50 text-sky-950",
  success: "border-emerald-300 bg-emerald-50 text-emerald-950",
  warning: "border-amber-300 bg-amber-50 text-amber-950",
  error: "border-red-300 bg-red-50 text-red-950",
};

/**
 * The stack; `onHold(true)` while the pointer is over it or focus is inside it
 * (auto-close waits then), `onHold(false)` when neither is.
 */
export function ToastStack(
  { children, onHold }: {
    children: ComponentChildren;
    onHold?: (held: boolean) => void;
  },
) {
  const stack = useRef<HTMLDivElement>(null);
  const state = useRef({ pointer: false, focus: false });
  const set = (change: Partial<typeof state.current>) => {
    state.current = { ...state.current, ...change };
    onHold?.(state.current.pointer || state.current.focus);
  };
  // A closed toast leaves without a focusout or mouseleave: look again after each render.
  useEffect(() => {
    const el = stack.current;
    if (!el) return;
    const focus = el.contains(document.activeElement);
    const pointer = state.current.pointer && el.childElementCount > 0;
    if (focus !== state.current.focus || pointer !== state.current.pointer) {
      set({ focus, pointer });
    }
  });
  return (
    <div
      ref={stack}
      data-toast-stack
      onMouseEnter={() => set({ pointer: true })}
      onMouseLeave={() => set({ pointer: false })}
      onFocusIn={() => set({ focus: true })}
      onFocusOut={(e) => {
        const next = e.relatedTarget as Node | null;
        if (!next || !e.currentTarget.contains(next)) set({ focus: false });
      }}
      class="pointer-events-none fixed inset-x-0 top-0 z-50 flex flex-col items-center gap-2 p-2 sm:top-auto sm:bottom-0 sm:items-end sm:p-4"
    >
      {children}
    </div>
  );
}

export function Toast(
  { kind, onClose, children, older = false, more = 0 }: {
    kind: ToastKind;
    onClose: () => void;
    children: ComponentChildren;
    /** A newer toast exists: on a phone this one is folded into its count. */
    older?: boolean;
    /** How many older toasts a phone folds into this one's "+N more". */
    more?: number;
  },
) {
  return (
    <div
      role={kind === "error" ? "alert" : "status"}
      data-toast={kind}
      class={`pointer-events-auto w-full max-w-sm items-start gap-2 rounded-lg border p-2 text-sm shadow-lg sm:gap-3 sm:p-3 ${
        older ? "hidden sm:flex" : "flex"
      } ${TONE[kind]}`}
    >
      <div class="line-clamp-2 min-w-0 flex-1 break-words sm:line-clamp-none">
        {children}
      </div>
      {more > 0 && (
        <span
          data-toast-more={more}
          class="shrink-0 self-center rounded-full bg-white/70 px-2 text-xs font-medium sm:hidden"
        >
          +{more} more
        </span>
      )}
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

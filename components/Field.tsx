/** Form fields with the app's one look: a labelled control, its controls, and the inline error line. */
import type {
  ComponentChildren,
  InputHTMLAttributes,
  SelectHTMLAttributes,
  TextareaHTMLAttributes,
} from "preact";
import { classes } from "./classes.ts";

const FOCUS = "focus-visible:outline-2 focus-visible:outline-sky-600";
const TEXT_CONTROL =
  `mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 ${FOCUS} disabled:bg-slate-100`;
const SELECT_CONTROL =
  `mt-1 rounded-md border border-slate-300 bg-white px-3 py-2 ${FOCUS}`;

export interface FieldProps {
  /** The control's id: the label points to it, and the hint is `{id}-hint`. */
  id: string;
  label: ComponentChildren;
  /** A line of help under the control. */
  hint?: ComponentChildren;
  /** Classes of the wrapper (its place in the form's layout). */
  class?: string;
  children: ComponentChildren;
}

/** A label above its control (the children), and an optional hint below. */
export function Field({ id, label, hint, class: extra, children }: FieldProps) {
  return (
    <div class={extra}>
      <label for={id} class="block text-sm font-medium">{label}</label>
      {children}
      {hint && (
        <p id={`${id}-hint`} class="mt-1 text-xs text-slate-500">{hint}</p>
      )}
    </div>
  );
}

/** A control's attributes, `class` adding to its look. */
type ControlProps<A> = Omit<A, "class" | "className"> & { class?: string };
export type TextInputProps = ControlProps<
  InputHTMLAttributes<HTMLInputElement>
>;

export function TextInput(
  { class: extra, ...props }: TextInputProps,
) {
  return <input {...props} class={classes(TEXT_CONTROL, extra)} />;
}

export function TextArea(
  { class: extra, ...props }: ControlProps<
    TextareaHTMLAttributes<HTMLTextAreaElement>
  >,
) {
  return <textarea {...props} class={classes(TEXT_CONTROL, extra)} />;
}

export function Select(
  { class: extra, ...props }: ControlProps<
    SelectHTMLAttributes<HTMLSelectElement>
  >,
) {
  return <select {...props} class={classes(SELECT_CONTROL, extra)} />;
}

export interface FieldErrorProps {
  id: string;
  class?: string;
  children?: ComponentChildren;
}

/** The line that announces a form's error; it keeps its height when empty, so the form does not jump. */
export function FieldError({ id, class: extra, children }: FieldErrorProps) {
  return (
    <p
      id={id}
      aria-live="polite"
      class={classes("min-h-5 text-sm text-red-700", extra)}
    >
      {children}
    </p>
  );
}

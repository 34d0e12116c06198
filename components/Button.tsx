/** The app's button: one look for primary actions and one for secondary ones. */
import type { ButtonHTMLAttributes } from "preact";
import { classes } from "./classes.ts";

const SHARED =
  "rounded-md px-4 py-2 font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-60";
const VARIANTS = {
  primary: "bg-sky-700 text-white hover:bg-sky-800",
  secondary:
    "border border-slate-300 bg-white text-slate-700 hover:bg-slate-100",
};

export interface ButtonProps
  extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, "class" | "className"> {
  /** Default `primary`. */
  variant?: keyof typeof VARIANTS;
  /** Extra classes (width, margins); the look comes from `variant`. */
  class?: string;
}

/** A `<button>`, `type="button"` unless given (a form's submit says so). */
export function Button(
  { variant = "primary", type = "button", class: extra, ...props }: ButtonProps,
) {
  return (
    <button
      {...props}
      type={type}
      class={classes(SHARED, VARIANTS[variant], extra)}
    />
  );
}

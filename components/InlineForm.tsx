/** A one-field form on one line: a labelled text input, its buttons, and the error line under them. */
import type { ComponentChildren } from "preact";
import { Field, FieldError, TextInput, type TextInputProps } from "./Field.tsx";

export interface InlineFormProps {
  onSubmit: (e: Event) => void;
  pending: boolean;
  label: ComponentChildren;
  /** The text input's attributes; its id names the label. */
  input: TextInputProps & { id: string };
  /** The id of the error line (the input points to it). */
  errorId: string;
  /** Marks the input `aria-invalid`. */
  invalid: boolean;
  /** What the error line says. */
  message?: ComponentChildren;
  /** The buttons. */
  children: ComponentChildren;
}

export function InlineForm(
  { onSubmit, pending, label, input, errorId, invalid, message, children }:
    InlineFormProps,
) {
  return (
    <form
      onSubmit={onSubmit}
      aria-busy={pending}
      class="mt-3 flex flex-wrap items-end gap-2"
    >
      <Field id={input.id} label={label} class="min-w-0 flex-1">
        <TextInput
          {...input}
          aria-invalid={invalid ? true : undefined}
          aria-describedby={errorId}
        />
      </Field>
      {children}
      <FieldError id={errorId} class="w-full">{message}</FieldError>
    </form>
  );
}

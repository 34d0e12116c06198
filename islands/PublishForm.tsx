/**
 * The publish form: a plain HTML form posting to `/notifications` (303) without
 * JavaScript; hydrated, it posts JSON and shows pending state and errors inline.
 *
 * @module
 */
import { useState } from "preact/hooks";
import {
  errorText,
  KINDS,
  MAX_MESSAGE_LENGTH,
  type NotificationDraft,
} from "../lib/app/notifications/notification.ts";
import { Button } from "../components/Button.tsx";
import { Field, Select, TextArea } from "../components/Field.tsx";

export interface PublishFormProps {
  /** Where the form posts; default `/notifications`. */
  action?: string;
  /** Error code of a no-JS post, shown until the next try. */
  error?: string | null;
  /** What that failed post had typed: the form starts with it. */
  draft?: NotificationDraft | null;
  /** A no-JS post just succeeded. */
  published?: boolean;
  /** Offer "only me" (needs a session). */
  canSendToSelf: boolean;
}

type State =
  | { phase: "idle"; error: string | null; done: boolean }
  | { phase: "pending" };

export default function PublishForm(props: PublishFormProps) {
  const action = props.action ?? "/notifications";
  const [state, setState] = useState<State>({
    phase: "idle",
    error: props.error ? errorText(props.error) : null,
    done: Boolean(props.published),
  });
  const pending = state.phase === "pending";
  const error = state.phase === "idle" ? state.error : null;
  const done = state.phase === "idle" && state.done;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (pending) return;
    const form = e.currentTarget as HTMLFormElement;
    const fields = Object.fromEntries(new FormData(form));
    const focusMessage = () =>
      (form.elements.namedItem("message") as HTMLTextAreaElement | null)
        ?.focus();
    setState({ phase: "pending" });
    try {
      const res = await fetch(action, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
        },
        body: JSON.stringify(fields),
      });
      if (res.ok) {
        form.reset();
        setState({ phase: "idle", error: null, done: true });
        focusMessage();
        return;
      }
      const body = await res.json().catch(() => null);
      setState({
        phase: "idle",
        error: body?.error?.message ?? errorText(body?.error?.code ?? ""),
        done: false,
      });
    } catch {
      setState({
        phase: "idle",
        error: "The server could not be reached. Please try again.",
        done: false,
      });
    }
    focusMessage();
  };

  return (
    <form
      id="publish"
      method="post"
      action={action}
      onSubmit={submit}
      aria-busy={pending}
      class="space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
    >
      <h2 class="text-lg font-semibold">Publish a notification</h2>
      <Field id="publish-message" label="Message">
        <TextArea
          id="publish-message"
          name="message"
          required
          maxLength={MAX_MESSAGE_LENGTH}
          rows={2}
          defaultValue={props.draft?.message}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "publish-error" : undefined}
        />
      </Field>
      <div class="flex flex-wrap gap-4">
        <Field id="publish-kind" label="Kind">
          <Select id="publish-kind" name="kind">
            {KINDS.map((k) => (
              <option key={k} value={k} selected={props.draft?.kind === k}>
                {k}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="publish-to" label="Send to">
          <Select id="publish-to" name="to">
            <option value="everyone">Everyone</option>
            {props.canSendToSelf && (
              <option value="me" selected={props.draft?.to === "me"}>
                Only me
              </option>
            )}
          </Select>
        </Field>
      </div>
      <div class="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={pending}>
          {pending ? "Publishing…" : "Publish"}
        </Button>
        <p aria-live="polite" class="min-h-5 text-sm">
          {error && (
            <span id="publish-error" class="text-red-700">
              {error}
            </span>
          )}
          {done && <span class="text-emerald-700">Published.</span>}
        </p>
      </div>
    </form>
  );
}

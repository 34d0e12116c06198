/**
 * A toast for each new notification from the render on (`since`); each closes after
 * `durationMs` of time not spent pointing at or focused in the toasts, or with its
 * button; at most three at a time (one, with a count, on a phone).
 *
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { Toast, ToastStack } from "../components/Toast.tsx";
import { useEventStream } from "../lib/client/hook.ts";
import { PausableTimers } from "../lib/client/pausable_timers.ts";
import {
  type Notification,
  toNotification,
} from "../lib/app/notifications/notification.ts";

export const TOAST_MS = 5000;
const MAX_TOASTS = 3;

export interface NotificationToastsProps {
  channels: string[];
  /** The broker head read before the page's feeds (lib/app/page/since.ts). */
  since?: string;
  /** How long a toast stays up (`HERALD_TOAST_MS`); default {@link TOAST_MS}. */
  durationMs?: number;
}

export default function NotificationToasts(
  { channels, since, durationMs = TOAST_MS }: NotificationToastsProps,
) {
  const [toasts, setToasts] = useState<Notification[]>([]);
  const timers = useRef(new PausableTimers());

  const dismiss = (id: string) => {
    timers.current.remove(id);
    setToasts((list) => list.filter((t) => t.id !== id));
  };

  useEventStream({
    channels,
    since,
    onEvent: (e) => {
      const item = toNotification(e);
      if (timers.current.has(item.id)) return;
      timers.current.add(item.id, durationMs, () => dismiss(item.id));
      setToasts((list) => {
        const next = [...list, item];
        for (const gone of next.slice(0, -MAX_TOASTS)) {
          timers.current.remove(gone.id);
        }
        return next.slice(-MAX_TOASTS);
      });
    },
  });

  useEffect(() => () => timers.current.clear(), []);

  return (
    <ToastStack
      onHold={(held) => held ? timers.current.pause() : timers.current.resume()}
    >
      {toasts.map((t, i) => (
        <Toast
          key={t.id}
          kind={t.kind}
          onClose={() => dismiss(t.id)}
          older={i < toasts.length - 1}
          more={i === toasts.length - 1 ? toasts.length - 1 : 0}
        >
          {t.sender && <strong class="font-semibold">{t.sender}:</strong>}{" "}
          {t.message}
        </Toast>
      ))}
    </ToastStack>
  );
}

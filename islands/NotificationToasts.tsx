/**
 * A toast for each new notification (public or private), from the moment
 * the page was rendered (`since`): one published while the page was still
 * loading gets its toast too. It closes itself
 * after 5 seconds, or at once with its close button. At most three at a
 * time; they float over the page, so nothing moves.
 *
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { Toast, ToastStack } from "../components/Toast.tsx";
import { useEventStream } from "../lib/client/hook.ts";
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
}

export default function NotificationToasts(
  { channels, since }: NotificationToastsProps,
) {
  const [toasts, setToasts] = useState<Notification[]>([]);
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const dismiss = (id: string) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setToasts((list) => list.filter((t) => t.id !== id));
  };

  useEventStream({
    channels,
    since,
    onEvent: (e) => {
      const item = toNotification(e);
      if (timers.current.has(item.id)) return;
      timers.current.set(item.id, setTimeout(() => dismiss(item.id), TOAST_MS));
      setToasts((list) => [...list, item].slice(-MAX_TOASTS));
    },
  });

  useEffect(() => () => {
    for (const timer of timers.current.values()) clearTimeout(timer);
  }, []);

  return (
    <ToastStack>
      {toasts.map((t) => (
        <Toast
          key={t.id}
          kind={t.kind}
          onClose={() => dismiss(t.id)}
        >
          {t.sender && <strong class="font-semibold">{t.sender}:</strong>}{" "}
          {t.message}
        </Toast>
      ))}
    </ToastStack>
  );
}

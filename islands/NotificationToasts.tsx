/**
 * A toast for each new notification from the render on (`since`); each closes after
 * 5 s or with its button; at most three at a time, floating over the page.
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

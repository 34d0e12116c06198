/**
 * The page stream's status as a badge (connecting, live, reconnecting,
 * offline). Reads the shared stream's `status` signal; opens nothing itself.
 *
 * @module
 */
import { StatusBadge } from "../components/StatusBadge.tsx";
import { pageStream } from "../lib/client/stream.ts";

export default function ConnectionBadge() {
  return <StatusBadge status={pageStream().status.value} />;
}

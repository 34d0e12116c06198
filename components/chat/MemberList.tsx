/** A chat room's member list, marking this tab's member with "(you)". */
import { sameName } from "../../lib/app/chat/roster.ts";

export interface MemberListProps {
  members: string[];
  /** This tab's username, when it joined. */
  me?: string;
}

export function MemberList({ members, me }: MemberListProps) {
  return (
    <section
      aria-labelledby="members-heading"
      class="h-fit rounded-lg border border-slate-200 bg-white p-3"
    >
      <h2 id="members-heading" class="mb-2 font-semibold">
        Members <span class="text-slate-500">({members.length})</span>
      </h2>
      <ul id="chat-members" class="space-y-1 text-sm">
        {members.length === 0 && (
          <li class="text-slate-500">Nobody has joined yet.</li>
        )}
        {members.map((name) => (
          <li key={name} data-member={name} class="break-words">
            {name}
            {me !== undefined && sameName(me, name) && (
              <span class="ml-1 text-slate-500">(you)</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

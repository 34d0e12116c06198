/** A chat room's member list (who is present and holds a name), marking this page's member with "(you)". */
import type { ChatMember } from "../../lib/app/chat/types.ts";

export interface MemberListProps {
  members: ChatMember[];
  /** This page's identity, when it is a member. */
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
        {members.map((m) => (
          <li key={m.user} data-member={m.name} class="break-words">
            {m.name}
            {m.user === me && <span class="ml-1 text-slate-500">(you)</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

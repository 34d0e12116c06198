/**
 * The soak's report as Markdown: well-behaved delivery, whether the server
 * still answers, peak and final memory against the budget, and every
 * attack's answers.
 *
 * @example
 * ```ts
 * console.log(soakReport(await runSoak(options)));
 * ```
 * @module
 */
import { mb, type SoakResult } from "./run.ts";

const fmt = (n: number) => n.toLocaleString("en-US");

export function soakReport(r: SoakResult): string {
  const lines: string[] = [];
  lines.push(
    `## Soak: ${r.seconds} s, ${r.broker} broker, nofile ${r.nofile}, ${r.waves} attack waves`,
    "",
    "| well-behaved clients | expected | received | lost | duplicated | out of order | reconnects |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const c of r.clients) {
    const d = c.delivery;
    lines.push(
      `| ${c.label} | ${fmt(d.expected)} | ${
        fmt(d.received)
      } | ${d.lost} | ${d.duplicated} | ${d.outOfOrder} | ${c.reconnects} |`,
    );
  }
  lines.push(
    "",
    `- publisher answers: ${counts(r.publisher)}; stream answers: ${
      counts(r.subscriberAnswers)
    }; gap notices: ${r.gaps}`,
    `- still listening at the end: /about ${r.listening.about}, /api/health ${r.listening.health}`,
    `- server RSS: baseline ${mb(r.memory.baseline)}, peak ${
      mb(r.memory.peak)
    }, final ${mb(r.memory.final)}; budget ${mb(r.memory.budget.total)} = ${
      r.memory.budget.terms.map(([name, b]) => `${mb(b)} (${name})`).join(
        " + ",
      )
    }`,
    "",
    "| attack | answers |",
    "| --- | --- |",
  );
  for (const [name, c] of Object.entries(r.attacks)) {
    lines.push(`| ${name} | ${counts(c)} |`);
  }
  if (r.serverErrors.length) {
    lines.push(
      "",
      "Server log lines of note:",
      ...r.serverErrors.map((l) => `    ${l}`),
    );
  }
  lines.push(
    "",
    r.passed ? "**PASS**" : `**FAIL**: ${r.failures.join("; ")}`,
  );
  return lines.join("\n");
}

function counts(c: Record<string, number>): string {
  return Object.entries(c).sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ×${fmt(v)}`).join(", ") || "none";
}

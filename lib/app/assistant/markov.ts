/**
 * A deterministic {@link TextSource}: a word-level Markov chain (two words of
 * context) over a text shipped in the repository, seeded by the question and
 * the attempt, so the same question gives the same answer and a regenerate
 * another one (ARCHITECTURE.md, The assistant).
 *
 * @module
 */
import type { Prompt, TextSource } from "./text_source.ts";

/** The chain's transitions: "w1 w2" → the words that follow that pair in the text. */
type Chain = Map<string, string[]>;

const key = (a: string, b: string) => `${a} ${b}`;
const endsSentence = (word: string) => /[.!?]['")]*$/.test(word);

/** FNV-1a over UTF-16 units: a stable 32-bit seed from the question. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small seeded PRNG; numbers in [0, 1). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class MarkovSource implements TextSource {
  readonly #chain: Chain = new Map();
  /** Pairs that open a sentence in the text: where answers start. */
  readonly #starts: [string, string][] = [];

  /** `text`: the corpus; its first paragraph (the source's attribution) is skipped. */
  constructor(text: string) {
    const body = text.split(/\n\s*\n/).slice(1).join("\n\n");
    const words = body.split(/\s+/).filter((w) => w !== "");
    if (words.length < 3) throw new Error("markov: the corpus is too short");
    for (let i = 0; i + 2 < words.length; i++) {
      const k = key(words[i], words[i + 1]);
      const next = this.#chain.get(k);
      if (next) next.push(words[i + 2]);
      else this.#chain.set(k, [words[i + 2]]);
      if (i === 0 || endsSentence(words[i - 1])) {
        this.#starts.push([words[i], words[i + 1]]);
      }
    }
  }

  /** The answer's words, synchronously: the same prompt always gives the same list. */
  words(prompt: Prompt): string[] {
    const max = Math.max(0, prompt.maxTokens);
    const next = random(
      hashText(
        `${prompt.question.trim().toLowerCase()}\u0000${prompt.attempt}`,
      ),
    );
    const pick = <T>(list: readonly T[]) =>
      list[Math.floor(next() * list.length)];
    let [a, b] = pick(this.#starts);
    const words = [a, b];
    while (words.length < max) {
      const options = this.#chain.get(key(a, b));
      // A dead end (the corpus's last pair) or a full stop late enough: a new sentence.
      if (!options) [a, b] = pick(this.#starts);
      else [a, b] = [b, pick(options)];
      if (!options) words.push(a, b);
      else words.push(b);
      if (words.length >= max / 2 && endsSentence(words[words.length - 1])) {
        break;
      }
    }
    return words.slice(0, max);
  }

  async *generate(prompt: Prompt, signal: AbortSignal): AsyncIterable<string> {
    const words = this.words(prompt);
    for (let i = 0; i < words.length; i++) {
      if (signal.aborted) return;
      yield i === 0 ? words[i] : " " + words[i];
    }
  }
}

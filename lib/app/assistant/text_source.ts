/**
 * Where an answer's words come from: the interface a real model client would
 * implement (ARCHITECTURE.md, The assistant). The app ships a Markov chain
 * (markov.ts); nothing else in the app knows which source it has.
 *
 * @module
 */

/** What the source is asked. */
export interface Prompt {
  question: string;
  /** 0 for the first answer to a question, +1 per regenerate: another answer. */
  attempt: number;
  /** The source stops after this many tokens. */
  maxTokens: number;
}

/**
 * Generates an answer as tokens (text pieces; the answer is their
 * concatenation). Stops early when `signal` aborts; at most `maxTokens`.
 */
export interface TextSource {
  generate(prompt: Prompt, signal: AbortSignal): AsyncIterable<string>;
}

/**
 * The assistant of this process, built in the composition root: the Markov
 * source over the shipped corpus, the pace from the settings, the service.
 *
 * @module
 */
import type { HeraldLog } from "../../realtime/observe.ts";
import type { Broker } from "../../realtime/types.ts";
import type { AppStore } from "../store/types.ts";
import { MarkovSource } from "./markov.ts";
import { type Pace, SteppedPace, timerPace } from "./pace.ts";
import { type AssistantOptions, AssistantService } from "./service.ts";
import type { TextSource } from "./text_source.ts";

export interface Assistant {
  options: AssistantOptions;
  service: AssistantService;
  /** Releases tokens by hand (`POST /assistant/step`); null unless `HERALD_ASSISTANT_STEP=on`. */
  stepper: SteppedPace | null;
}

/** The text the app's Markov source learns from (public domain; its first paragraph names it). */
export const CORPUS_URL = new URL("./corpus.txt", import.meta.url);

/** The assistant over `store` and `broker`; `source` defaults to the Markov chain over the corpus. */
export async function startAssistant(
  options: AssistantOptions,
  deps: {
    store: AppStore;
    broker: Pick<Broker, "publish" | "history">;
    log?: HeraldLog;
    source?: TextSource;
  },
): Promise<Assistant> {
  const source = deps.source ??
    new MarkovSource(await Deno.readTextFile(CORPUS_URL));
  const stepper = options.step ? new SteppedPace() : null;
  const pace: Pace = stepper ?? timerPace(options.paceMs);
  const service = new AssistantService(
    { store: deps.store, broker: deps.broker, source, pace, log: deps.log },
    options,
  );
  return { options, service, stepper };
}

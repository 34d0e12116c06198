import { createBroker } from "../../../lib/realtime/brokers/create.ts";
import { brokerConformance } from "./conformance.ts";

brokerConformance("memory", {
  create: (history) => createBroker({ broker: "memory", history }),
});

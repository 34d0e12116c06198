/**
 * The one id clock of this process, shared by the in-process brokers so that
 * two brokers of one process never mint ids out of order.
 *
 * @module
 */
import { IdClock } from "./event_id.ts";

export const processClock: IdClock = new IdClock();

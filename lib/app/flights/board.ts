/**
 * The flight board in the app store, changed only by compare-and-set, each change
 * published on the `flights` channel.
 *
 * @module
 */
import type { Broker } from "../../realtime/types.ts";
import type { AppStore } from "../store/types.ts";
import { type Random, seedBoard, step, type StepEvent } from "./simulate.ts";
import { type Board, FLIGHTS_CHANNEL } from "./types.ts";

export const BOARD_KEY = ["flights", "board"];

/** A manual step was asked for while the board is paused. */
export class BoardPaused extends Error {
  constructor() {
    super("the flight board is paused");
  }
}

export class FlightBoard {
  constructor(
    readonly store: AppStore,
    readonly broker: Pick<Broker, "publish">,
    readonly random: Random = Math.random,
  ) {}

  /** The current board (seeded on first use). */
  async get(): Promise<Board> {
    const board = await this.store.get<Board>(BOARD_KEY);
    if (typeof board?.clock === "number") return board;
    const fresh = seedBoard(Date.now(), this.random);
    if (board) {
      // Stored before boards had a clock and arrival states: start afresh, seq going on.
      await this.store.compareAndSet(BOARD_KEY, board, {
        ...fresh,
        seq: board.seq + 1,
        paused: board.paused,
      });
    } else {
      await this.store.setIfAbsent(BOARD_KEY, fresh);
    }
    return (await this.store.get<Board>(BOARD_KEY))!;
  }

  /** Compare-and-set loop: `change` returns the next board, or null to leave it. */
  async #update<T>(
    change: (board: Board) => { board: Board; result: T } | null,
  ): Promise<T | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const before = await this.get();
      const next = change(before);
      if (!next) return null;
      if (await this.store.compareAndSet(BOARD_KEY, before, next.board)) {
        return next.result;
      }
    }
    throw new Error("flights: the board keeps changing under us");
  }

  /** One simulated change, published; null (nothing changes) while paused. */
  async advance(): Promise<StepEvent | null> {
    const event = await this.#update((board) => {
      if (board.paused) return null;
      const next = step(board, this.random);
      return { board: next.board, result: next.event };
    });
    if (event) await this.broker.publish(FLIGHTS_CHANNEL, event);
    return event;
  }

  /** Pauses or resumes the simulation; every page hears it. */
  async setPaused(paused: boolean): Promise<Board> {
    const changed = await this.#update((board) =>
      board.paused === paused
        ? null
        : { board: { ...board, paused, seq: board.seq + 1 }, result: true }
    );
    const board = await this.get();
    if (changed) {
      await this.broker.publish(FLIGHTS_CHANNEL, {
        event: "flightsPaused",
        data: { seq: board.seq, paused },
      });
    }
    return board;
  }

  /** A manual step; {@link BoardPaused} while paused. */
  async stepOrRefuse(): Promise<StepEvent> {
    const event = await this.advance();
    if (!event) throw new BoardPaused();
    return event;
  }
}

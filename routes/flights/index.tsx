/**
 * The flight board (`/flights`): arrivals with their state, server-rendered
 * from the board in the app store (so a page opened mid-way shows the
 * current state), then kept live by the island on the `flights` channel.
 * The first request also starts this process's simulator (lazily; only the
 * lease holder among all processes changes the board).
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps } from "$fresh/server.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import ConnectionBadge from "../../islands/ConnectionBadge.tsx";
import FlightBoard from "../../islands/FlightBoard.tsx";
import { getFlights } from "../../lib/app/flights/runtime.ts";
import type { Board } from "../../lib/app/flights/types.ts";
import { checkedBoard } from "../../lib/app/flights/validate.ts";
import { pageSince } from "../../lib/app/page/since.ts";

interface FlightsPageData {
  board: Board;
  /** The broker head read before `board`: the island gets every change after it. */
  since: string;
}

export const handler: Handlers<FlightsPageData> = {
  async GET(_req, ctx) {
    const { board } = await getFlights();
    const since = await pageSince(); // before the board: see page/since.ts
    return ctx.render({ board: checkedBoard(await board.get()), since });
  },
};

export default function FlightsPage({ data }: PageProps<FlightsPageData>) {
  return (
    <>
      <Head>
        <title>Flights · Herald</title>
      </Head>
      <PageHeader
        title="Arrivals"
        description="A simulated arrivals board, updated live for everyone."
      >
        <ConnectionBadge />
      </PageHeader>
      <FlightBoard initial={data.board} since={data.since} />
    </>
  );
}

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

export const handler: Handlers<Board> = {
  async GET(_req, ctx) {
    const { board } = await getFlights();
    return ctx.render(await board.get());
  },
};

export default function FlightsPage({ data }: PageProps<Board>) {
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
      <FlightBoard initial={data} />
    </>
  );
}

/**
 * The arrivals board (`/flights`, "Arrivals" in the navigation and heading): server-rendered from the board in the app store, then
 * kept live by the island on the `flights` channel.
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps } from "$fresh/server.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import ConnectionBadge from "../../islands/ConnectionBadge.tsx";
import FlightBoard from "../../islands/FlightBoard.tsx";
import type { AppState } from "../../lib/app/services.ts";
import { type Board, FLIGHTS_CHANNEL } from "../../lib/app/flights/types.ts";
import { admitRead } from "../../lib/app/admit.ts";
import { checkedBoard } from "../../lib/app/flights/validate.ts";
import { renderSince } from "../../lib/app/page/since.ts";

interface FlightsPageData {
  board: Board;
  /** The broker head read before `board`: the island gets every change after it. */
  since: string;
}

export const handler: Handlers<FlightsPageData, AppState> = {
  async GET(req, ctx) {
    await admitRead(req, ctx, [FLIGHTS_CHANNEL]);
    const { flights: { board }, herald } = ctx.state;
    const since = await renderSince(herald.broker); // before the board: see page/since.ts
    return ctx.render({ board: checkedBoard(await board.get()), since });
  },
};

export default function FlightsPage({ data }: PageProps<FlightsPageData>) {
  return (
    <>
      <Head>
        <title>Arrivals · Herald</title>
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

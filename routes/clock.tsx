/**
 * Clock (`/clock`): the server's time every second for one run over the page's shared
 * event stream (lib/app/clock/runs.ts), which ends after `HERALD_CLOCK_SECONDS`
 * (default 60).
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps } from "$fresh/server.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import Clock from "../islands/Clock.tsx";
import type { AppState } from "../lib/app/services.ts";

interface ClockPageData {
  now: number;
  duration: number;
}

export const handler: Handlers<ClockPageData, AppState> = {
  GET(req, ctx) {
    const duration = ctx.state.config.clock.defaultSeconds ?? 60;
    const asked = Number(new URL(req.url).searchParams.get("duration"));
    return ctx.render({
      now: Date.now(),
      duration: Number.isSafeInteger(asked) && asked >= 1 && asked <= 3600
        ? asked
        : duration,
    });
  },
};

export default function ClockPage({ data }: PageProps<ClockPageData>) {
  return (
    <>
      <Head>
        <title>Clock · Herald</title>
      </Head>
      <PageHeader
        title="Clock"
        description={`The server's time, sent every second for ${data.duration} seconds.`}
      />
      <Clock initialTime={data.now} duration={data.duration} />
    </>
  );
}

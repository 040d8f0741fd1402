// npm run bench: each optimisation against its baseline in the same run (compile server vs one
// clang per compile, cached vs compiled runs), whole runs and their stages, the real server under
// 1, 10 and 50 WebSocket clients, the web app's first load in Chromium, a clean-up soak, and what
// the bench left on the machine. Timing targets live here, never in tests; the bench never fails
// for a missed target, only for a section that could not run, a broken run or a leftover.
//
//   npm run bench [-- --quick] [-- --json] [-- --only <text of a section's name>]
//                                BENCH_RUNS=<soak runs> (default 1000, --quick 50)
//                                BENCH_TIMING_RUNS=<timed runs> (default 50, --quick 20)
//   --json: the report as JSON on stdout, everything else on stderr.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { paths, stopCompileServer, stopResidentDispatcher } from '@ebpf-lab/runner';
import { compareCachedRuns, compareCompiles } from './compile.ts';
import { compareDispatchers } from './dispatcher.ts';
import { startBenchServer } from './lab-server.ts';
import type { BenchServer } from './lab-server.ts';
import { BENCH_MARK, countLeftovers, Descendants, takeBaseline } from './leftovers.ts';
import { measureLoad } from './load.ts';
import { benchOptions } from './options.ts';
import { buildReport, formatReport } from './report.ts';
import type { Machine, Measured } from './report.ts';
import { compileParts, timeWholeRuns } from './runs.ts';
import type { BenchContext, BenchSection } from './section.ts';
import { soak } from './soak.ts';
import { measureWeb } from './web.ts';

const options = benchOptions();
// With --json, stdout holds the report alone.
if (options.json) console.log = console.error;
// Every process the bench starts carries this mark, so the ones it leaves can be found.
const mark = `${BENCH_MARK}=${randomUUID()}`;
process.env[BENCH_MARK] = mark.slice(BENCH_MARK.length + 1);

const EXERCISE = 'read-file-password';
const LOAD_CLIENTS = [1, 10, 50] as const;

const loadAverage = () => loadavg().map((l) => Math.round(l * 100) / 100);
const say = (what: string) => console.log(`\n== ${what} (load average ${loadAverage().join(' ')})`);

/** Runs the whole bench (--quick) has made on its server before its 50-client level. */
const SERVER_WARM_UP_RUNS = 30;

/** Rounds per client: enough runs at every level for a median and a p95 worth reading. */
function rounds(clients: number, quick: boolean): number {
  if (clients === 1) return quick ? 10 : 30;
  if (clients === 10) return quick ? 2 : 5;
  return quick ? 1 : 3;
}

function loadSection(clients: (typeof LOAD_CLIENTS)[number]): BenchSection {
  return {
    name: `concurrent${clients}`,
    server: true,
    run: async (ctx) => {
      const load = (clients: number, rounds: number) =>
        measureLoad({
          url: ctx.serverUrl!,
          serverPid: ctx.serverPid,
          clients,
          rounds,
          exerciseId: ctx.exerciseId,
          code: ctx.solution,
        }).then((r) => {
          ctx.serverRuns = (ctx.serverRuns ?? 0) + r.runs;
          return r;
        });
      // Measured alone (--only), a level meets a server as warm as the whole bench leaves it.
      if (clients > 1 && !ctx.serverRuns) {
        console.log(`${SERVER_WARM_UP_RUNS} runs first, unmeasured, to warm the server up`);
        await load(10, SERVER_WARM_UP_RUNS / 10);
      }
      const result = await load(clients, rounds(clients, ctx.quick));
      console.log(
        `${clients} clients: ${result.passed} of ${result.runs} passed, ${result.refused} refused, ` +
          `${result.lost} lost, ${result.runsPerSecond} runs/s, median ${result.medianMs} ms, ` +
          `p95 ${result.p95Ms} ms, longest queue ${result.maxQueuePosition}` +
          (result.serverCpuMsPerRun === undefined
            ? ''
            : `, server process ${result.serverCpuMsPerRun} ms of CPU per run`) +
          (result.messages.length ? `\n  ${result.messages.join('\n  ')}` : ''),
      );
      if (result.notPassed)
        throw new Error(`${result.notPassed} runs of the reference solution did not pass`);
      return { [`concurrent${clients}`]: result };
    },
  };
}

/** In order; each comparison is one section in its own file. */
const SECTIONS: BenchSection[] = [
  { name: 'compile parts', run: async (ctx) => ({ compileParts: await compileParts(ctx) }) },
  {
    name: 'compile server vs one clang per compile',
    run: (ctx) => compareCompiles(ctx.solution, ctx.quick ? 20 : 50),
  },
  { name: 'whole runs', run: async (ctx) => ({ run: await timeWholeRuns(ctx) }) },
  {
    name: 'cached vs compiled runs',
    run: (ctx) => compareCachedRuns(ctx.exerciseId, ctx.solution, ctx.quick ? 10 : 30),
  },
  {
    name: 'forked vs started loader, resident vs per-run dispatcher',
    run: async (ctx) => ({
      ...(await compareDispatchers(ctx.exerciseId, ctx.solution, ctx.quick ? 10 : 30)),
    }),
  },
  {
    name: 'web first load',
    server: true,
    run: async (ctx) => {
      const web = await measureWeb(
        ctx.serverUrl!,
        join(paths.repoRoot, 'apps', 'web', 'dist'),
        ctx.exerciseId,
        ctx.quick ? 3 : 5,
      );
      console.log(
        `a keystroke shown at ${web.interactiveMs} ms in the editor showing (median; ` +
          `${web.interactive.minMs} to ${web.interactive.p95Ms} ms; ${web.interactiveEditors.join(', ')}), ` +
          `in Monaco at ${web.monacoInteractiveMs} ms (${web.monacoInteractive.minMs} to ` +
          `${web.monacoInteractive.p95Ms} ms), Monaco created at ${web.editorReadyMs} ms; bundle ` +
          `${(web.bundleGzipBytes / 1024).toFixed(0)} KiB gzipped`,
      );
      return { web };
    },
  },
  ...LOAD_CLIENTS.map(loadSection),
  {
    name: 'clean-up soak',
    run: async (ctx) => {
      // A resident process of its own: what the sections before left in one is not the soak's.
      await stopResidentDispatcher();
      return { soak: await soak(ctx) };
    },
  },
];

/** The sections --only asks for (all without it); none is a usage error, which lists the names. */
function chosenSections(): BenchSection[] {
  const only = options.only;
  if (only === undefined) return SECTIONS;
  const chosen = SECTIONS.filter((s) => s.name.includes(only));
  if (chosen.length) return chosen;
  console.error(
    `bench: no section's name holds "${only}"; the sections are:\n  ${SECTIONS.map((s) => s.name).join('\n  ')}`,
  );
  process.exit(2);
}

function machine(before: number[]): Machine {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    loadAverageBefore: before,
    loadAverageAfter: loadAverage(),
  };
}

async function main(): Promise<void> {
  const before = loadAverage();
  const baseline = takeBaseline(mark);
  const descendants = new Descendants();
  const ctx: BenchContext = {
    quick: options.quick,
    exerciseId: EXERCISE,
    solution: readFileSync(join(paths.templatesDir, EXERCISE, 'solution.bpf.c'), 'utf8'),
    timingRuns: options.timingRuns,
    soakRuns: options.soakRuns,
  };
  const sections = chosenSections();
  console.log(
    `bench: ${ctx.timingRuns} timed runs, ${ctx.soakRuns} soak runs${ctx.quick ? ' (--quick)' : ''}`,
  );
  if (options.only !== undefined)
    console.log(`bench: only ${sections.map((s) => `"${s.name}"`).join(', ')}`);
  const measured: Partial<Measured> & Record<string, unknown> = {};
  const failures: string[] = [];
  const cgroupPrefixes = [`p${process.pid}-`];
  let server: BenchServer | undefined;
  const run = async (section: BenchSection) => {
    running = section.name;
    say(section.name);
    try {
      if (section.server && !server) {
        // The server's compile server and runs have the machine's cores to themselves.
        stopCompileServer();
        const clients = Math.max(...LOAD_CLIENTS);
        server = await startBenchServer(clients);
        cgroupPrefixes.push(`p${server.pid}-`);
        ctx.serverUrl = server.url;
        ctx.serverPid = server.pid;
        console.log(`lab server on ${server.url} (pid ${server.pid})`);
      }
      Object.assign(measured, await section.run(ctx));
    } catch (e) {
      failures.push(`${section.name}: ${e instanceof Error ? e.message : String(e)}`);
      console.log(`${section.name} FAILED: ${e instanceof Error ? e.stack : String(e)}`);
    }
  };
  try {
    for (const section of sections.filter((s) => s.server)) await run(section);
  } finally {
    await server?.stop();
    if (server?.output().trim()) console.log(`lab server's log:\n${server.output().trim()}`);
  }
  for (const section of sections.filter((s) => !s.server)) await run(section);
  stopCompileServer();
  await stopResidentDispatcher();

  say('leftovers');
  const leftovers = await countLeftovers(baseline, mark, cgroupPrefixes, descendants);
  const report = buildReport({
    quick: ctx.quick,
    machine: machine(before),
    measured,
    leftovers,
    leftoversBefore: baseline.before,
    failures,
    only: options.only,
  });
  console.log(`\n${formatReport(report)}`);
  if (report.failures.length || report.leftovers.total) process.exitCode = 1;
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  running = null;
}

/** The section under way; null once the report is out. */
let running: string | null = 'start';
// Node exits, with status 0, when nothing is left to wait for, even while a promise of the bench
// is still unsettled (a section waiting for something nothing will ever do): say so, and fail.
process.once('beforeExit', () => {
  if (running === null) return;
  console.error(
    `bench: stopped in "${running}", waiting for something that will never happen; no report`,
  );
  process.exitCode = 1;
});

main().catch((e: unknown) => {
  running = null;
  console.error(e);
  process.exitCode = 1;
});

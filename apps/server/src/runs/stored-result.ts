// The size a stored result may take. The runner caps what each stage reports, but a result still
// holds every record, syscall, map and log of a run, and each one is kept forever (ten runs of
// one file once grew the database by 58 MB). A result over the cap is shortened, heaviest parts
// first, and says so in its limits: the student sees the same copy as the one stored.
//
// The JSON made to measure the result is kept with it: the store writes it and the WebSocket
// sends it as it is, so a result is serialised once however many places take it.
import type { RunResult } from '@ebpf-lab/protocol';

/** Default cap on one stored result, as JSON. */
export const MAX_STORED_RESULT_BYTES = 2 * 1024 * 1024;

const LOG_KEPT_CHARS = 64 * 1024;
const ITEMS_KEPT = 500;

/** A result as stored and shown, with its JSON (`JSON.stringify(result)`). */
export interface StoredResult {
  result: RunResult;
  json: string;
}

const stored = (result: RunResult): StoredResult => ({ result, json: JSON.stringify(result) });
const fits = (s: StoredResult, maxBytes: number) => Buffer.byteLength(s.json, 'utf8') <= maxBytes;

/** Each step shortens one part of the result and names it. */
const steps: { what: string; apply: (r: RunResult) => RunResult }[] = [
  {
    what: 'map contents',
    apply: (r) => ({
      ...r,
      observations: r.observations.map((o) => ({
        ...o,
        maps: o.maps.map((m) => ({
          ...m,
          entries: [],
          truncated: m.truncated || m.entries.length > 0,
        })),
      })),
    }),
  },
  {
    what: 'stage logs',
    apply: (r) => ({
      ...r,
      stages: r.stages.map((s) =>
        s.log && s.log.length > LOG_KEPT_CHARS
          ? { ...s, log: s.log.slice(-LOG_KEPT_CHARS), truncated: true }
          : s,
      ),
    }),
  },
  {
    what: `the syscall timeline (first ${ITEMS_KEPT} calls per scenario)`,
    apply: (r) => ({
      ...r,
      observations: r.observations.map((o) => ({
        ...o,
        syscalls: o.syscalls.slice(0, ITEMS_KEPT),
      })),
    }),
  },
  {
    what: `submissions and DEBUG lines (first ${ITEMS_KEPT} of each per scenario)`,
    apply: (r) => ({
      ...r,
      observations: r.observations.map((o) => ({
        ...o,
        submissions: o.submissions.slice(0, ITEMS_KEPT),
        debug: o.debug.slice(0, ITEMS_KEPT),
      })),
    }),
  },
  {
    what: "the target's output and diagnostics",
    apply: (r) => ({
      ...r,
      diagnostics: r.diagnostics.slice(0, 50),
      observations: r.observations.map((o) => ({
        ...o,
        target: o.target && {
          ...o.target,
          stdout: o.target.stdout.slice(0, 4096),
          stderr: o.target.stderr.slice(0, 4096),
        },
      })),
    }),
  },
  { what: 'every observation', apply: (r) => ({ ...r, observations: [] }) },
];

/** The result as it is stored and shown: unchanged when it fits, else shortened and saying so. */
export function capStoredResult(
  result: RunResult,
  maxBytes = MAX_STORED_RESULT_BYTES,
): StoredResult {
  const whole = stored(result);
  if (fits(whole, maxBytes)) return whole;
  let r = result;
  const cut: string[] = [];
  for (const step of steps) {
    r = step.apply(r);
    cut.push(step.what);
    if (fits(stored(r), maxBytes)) break;
  }
  const limit =
    `this result was larger than the ${Math.round(maxBytes / 1024)} KiB the lab keeps of a ` +
    `run, so it was shortened: ${cut.join(', ')}`;
  return stored({ ...r, limits: [...r.limits, limit] });
}

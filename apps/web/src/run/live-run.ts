// The live view of one run, folded from the server's messages. `result` is authoritative: when
// it arrives it replaces whatever the streamed messages built up.
import type {
  CheckResult,
  DebugRecord,
  ErrorCode,
  RunResult,
  ServerMessage,
  StageName,
  SubmitRecord,
} from '@ebpf-lab/protocol';
import { STAGE_NAMES } from '@ebpf-lab/protocol/constants';

export type StageState = 'pending' | 'running' | 'ok' | 'failed' | 'skipped';

export interface LiveStage {
  name: StageName;
  state: StageState;
  /** Client clock when the stage started, to show a running duration. */
  startedAt?: number;
  durationMs?: number;
  log?: string;
  truncated?: boolean;
}

export type LiveEvent =
  | { kind: 'scenario'; scenario: string; title: string }
  | { kind: 'submit'; scenario: string; record: SubmitRecord }
  | { kind: 'debug'; scenario: string; record: DebugRecord };

export type RunPhase = 'sending' | 'queued' | 'running' | 'done' | 'interrupted';

export interface LiveRun {
  requestId: string;
  runId?: string;
  exerciseId: string;
  code: string;
  phase: RunPhase;
  queuePosition?: number;
  stages: LiveStage[];
  events: LiveEvent[];
  checks: CheckResult[];
  result?: RunResult;
  error?: { code: ErrorCode | 'connection'; message: string };
}

/** Events kept for display; the authoritative copy of everything is in the result. */
export const MAX_LIVE_EVENTS = 2000;

export function startRun(requestId: string, exerciseId: string, code: string): LiveRun {
  return {
    requestId,
    exerciseId,
    code,
    phase: 'sending',
    stages: STAGE_NAMES.map((name) => ({ name, state: 'pending' })),
    events: [],
    checks: [],
  };
}

function belongs(run: LiveRun, message: ServerMessage): boolean {
  if (message.type === 'accepted') return message.requestId === run.requestId;
  // A refusal (sign in, a limit, a file too large) comes before any runId exists: it answers the
  // run this page is still sending, since the socket carries one request at a time per page.
  if (message.type === 'error' && message.runId === undefined) return run.phase === 'sending';
  if (!('runId' in message) || message.runId === undefined) return false;
  return message.runId === run.runId;
}

export function applyMessage(run: LiveRun, message: ServerMessage, now: number): LiveRun {
  if (run.phase === 'done' || run.phase === 'interrupted') return run;
  if (!belongs(run, message)) return run;
  switch (message.type) {
    case 'accepted':
      return { ...run, runId: message.runId, phase: 'queued' };
    case 'queued':
      return { ...run, phase: 'queued', queuePosition: message.position };
    case 'stage': {
      const stages = run.stages.map((stage): LiveStage => {
        if (stage.name !== message.stage) return stage;
        if (message.state === 'started') return { ...stage, state: 'running', startedAt: now };
        const result = message.result;
        return {
          ...stage,
          state: result?.status ?? 'ok',
          durationMs: result?.durationMs ?? (stage.startedAt ? now - stage.startedAt : undefined),
          log: result?.log,
          truncated: result?.truncated,
        };
      });
      return { ...run, phase: 'running', queuePosition: undefined, stages };
    }
    case 'event': {
      const events = [...run.events, message.event];
      if (events.length > MAX_LIVE_EVENTS) events.splice(0, events.length - MAX_LIVE_EVENTS);
      return { ...run, phase: 'running', events };
    }
    case 'check':
      return {
        ...run,
        checks: [...run.checks.filter((c) => c.id !== message.check.id), message.check],
      };
    case 'result':
      return finishWithResult(run, message.result);
    case 'error': {
      // Refused before it was accepted, nothing ran: no stage failed.
      const refused = run.runId === undefined;
      return {
        ...run,
        phase: 'done',
        error: { code: message.code, message: message.message },
        stages: run.stages.map((s) =>
          s.state === 'running' ? { ...s, state: refused ? 'skipped' : 'failed' } : s,
        ),
      };
    }
    default:
      return run;
  }
}

function finishWithResult(run: LiveRun, result: RunResult): LiveRun {
  const stages = run.stages.map((stage): LiveStage => {
    const final = result.stages.find((s) => s.name === stage.name);
    if (!final)
      return stage.state === 'pending' || stage.state === 'running'
        ? { ...stage, state: 'skipped' }
        : stage;
    return {
      ...stage,
      state: final.status,
      durationMs: final.durationMs,
      log: final.log,
      truncated: final.truncated,
    };
  });
  // Rebuild the event list from the observations so a late joiner sees everything in order.
  const events: LiveEvent[] = [];
  for (const obs of result.observations) {
    events.push({ kind: 'scenario', scenario: obs.scenario, title: obs.scenario });
    const merged: LiveEvent[] = [
      ...obs.submissions.map((record) => ({
        kind: 'submit' as const,
        scenario: obs.scenario,
        record,
      })),
      ...obs.debug.map((record) => ({ kind: 'debug' as const, scenario: obs.scenario, record })),
    ];
    merged.sort((a, b) => compareTs(tsOf(a), tsOf(b)));
    events.push(...merged);
  }
  return {
    ...run,
    runId: result.runId,
    phase: 'done',
    queuePosition: undefined,
    stages,
    events: events.length > 1 || run.events.length === 0 ? events : run.events,
    checks: result.checks,
    result,
  };
}

function tsOf(event: LiveEvent): string {
  return event.kind === 'scenario' ? '0' : event.record.ts;
}

/** Compares nanosecond timestamps carried as decimal strings (beyond 2^53). */
export function compareTs(a: string, b: string): number {
  const x = BigInt(a || '0');
  const y = BigInt(b || '0');
  return x < y ? -1 : x > y ? 1 : 0;
}

export function interruptRun(run: LiveRun): LiveRun {
  if (run.phase === 'done' || run.phase === 'interrupted') return run;
  return {
    ...run,
    phase: 'interrupted',
    error: {
      code: 'connection',
      message: 'The connection to the lab dropped during the run. It cost no attempt: run again.',
    },
    stages: run.stages.map((s) => (s.state === 'running' ? { ...s, state: 'skipped' } : s)),
  };
}

/** Index of the stage running now, or of the last one finished, for the progress bar. */
export function progressOf(run: LiveRun): { done: number; total: number } {
  const done = run.stages.filter(
    (s) => s.state === 'ok' || s.state === 'skipped' || s.state === 'failed',
  ).length;
  return { done, total: run.stages.length };
}

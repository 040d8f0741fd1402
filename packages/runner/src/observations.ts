// Turns the loader's stream of lines into one ScenarioObservation per scenario.
// Pure: the loader reports raw enter and exit events; pairing them is done here, where it can
// be tested without a kernel.
import { timeline } from '@ebpf-lab/grader';
import type { LoaderLine, ScenarioObservation, SyscallRecord } from '@ebpf-lab/protocol';

type SyscallLine = Extract<LoaderLine, { type: 'syscall' }>;

/** `sys_enter_openat` → `openat`; other tracepoints keep their name. */
export function syscallName(hook: string): string {
  const m = /^sys_(?:enter|exit)_(.+)$/.exec(hook);
  return m ? m[1] : hook;
}

/**
 * Pairs enter and exit events per thread. A thread is inside at most one syscall at a time, so
 * an exit belongs to the latest unmatched enter of the same tid and syscall. Enters without an
 * exit (the target was killed) stay without `ret`; exits without an enter (the hook was attached
 * mid-call) stay without args.
 *
 * openat's path comes from whichever side has it, the enter first: the enter cannot read a
 * string in a page the target has not touched yet (BPF cannot fault pages in), the exit can,
 * since the kernel faulted it in to copy the path.
 */
export function pairSyscalls(events: SyscallLine[]): SyscallRecord[] {
  const out: SyscallRecord[] = [];
  const open = new Map<string, SyscallRecord>();
  for (const e of events) {
    const name = syscallName(e.hook);
    const key = `${e.tid}:${name}`;
    if (e.phase === 'enter') {
      const rec: SyscallRecord = {
        name,
        pid: e.pid,
        tid: e.tid,
        enterTs: e.ts,
        args: e.args ?? [],
      };
      if (e.path !== undefined) rec.path = e.path;
      open.set(key, rec);
      out.push(rec);
    } else {
      const rec = open.get(key);
      if (rec) {
        rec.exitTs = e.ts;
        rec.ret = e.ret;
        if (rec.path === undefined && e.path !== undefined) rec.path = e.path;
        open.delete(key);
      } else {
        const rec: SyscallRecord = {
          name,
          pid: e.pid,
          tid: e.tid,
          exitTs: e.ts,
          args: [],
          ret: e.ret,
        };
        if (e.path !== undefined) rec.path = e.path;
        out.push(rec);
      }
    }
  }
  return out;
}

/**
 * Names the file behind the fd of every fd-taking call, so the timeline and the messages say
 * "read of /tmp/message" for a read of fd 0 after dup2, not just "fd 0".
 */
export function withFiles(records: SyscallRecord[]): SyscallRecord[] {
  const { calls } = timeline(records);
  return records.map((r, i) => {
    const file = calls[i].fdPath;
    return file === undefined ? r : { ...r, file };
  });
}

/** Collects loader lines into observations, one per scenario, in the order scenarios ran. */
export class ObservationCollector {
  private readonly byScenario = new Map<string, ScenarioObservation>();
  private readonly rawSyscalls = new Map<string, SyscallLine[]>();
  /** Limits that were not tied to a scenario (e.g. the whole run's wall time). */
  readonly runLimits: string[] = [];

  constructor(private readonly planted: Map<string, { path: string; hex: string }[]>) {}

  private scenario(id: string): ScenarioObservation {
    let obs = this.byScenario.get(id);
    if (!obs) {
      obs = {
        scenario: id,
        planted: this.planted.get(id) ?? [],
        submissions: [],
        debug: [],
        syscalls: [],
        maps: [],
        limits: [],
      };
      this.byScenario.set(id, obs);
      this.rawSyscalls.set(id, []);
    }
    return obs;
  }

  add(line: LoaderLine): void {
    switch (line.type) {
      case 'scenario_start':
        this.scenario(line.scenario);
        break;
      case 'submit':
        this.scenario(line.scenario).submissions.push(line.record);
        break;
      case 'debug':
        this.scenario(line.scenario).debug.push(line.record);
        break;
      case 'syscall':
        this.scenario(line.scenario);
        this.rawSyscalls.get(line.scenario)!.push(line);
        break;
      case 'target_exit':
        this.scenario(line.scenario).target = line.exit;
        break;
      case 'maps':
        this.scenario(line.scenario).maps = line.maps;
        break;
      case 'lost_events':
        this.scenario(line.scenario).lostEvents = line.count;
        break;
      case 'limit':
        if (line.scenario) this.scenario(line.scenario).limits.push(line.message);
        else this.runLimits.push(line.message);
        break;
      default:
        break;
    }
  }

  result(): ScenarioObservation[] {
    return [...this.byScenario.values()].map((obs) => ({
      ...obs,
      syscalls: withFiles(pairSyscalls(this.rawSyscalls.get(obs.scenario) ?? [])),
    }));
  }

  /** Every limit hit, scenario limits first, without repeats. */
  allLimits(): string[] {
    const all = [...this.byScenario.values()].flatMap((o) => o.limits).concat(this.runLimits);
    return [...new Set(all)];
  }
}

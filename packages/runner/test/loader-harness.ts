// What the native loader's kernel tests share: the loader and its fixtures built once per test
// file with clang and gcc (so the tests do not depend on the compile sandbox), a run's config,
// and the loader driven with every line it printed kept.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoaderConfig, LoaderLine, MapDump } from '@ebpf-lab/protocol';
import { afterAll, beforeAll, expect } from 'vitest';
import { cgroupForRun, findCgroupMounts, mapViewOf, runLoader } from '../src/loader/index.ts';
import type { LoaderOptions } from '../src/loader/index.ts';
import { paths } from '../src/paths.ts';
import { runProcess } from '../src/process.ts';
import { checkObject } from '../src/static-check/index.ts';

export const fixtures = join(paths.loaderSourceDir, 'test');
export const OBSERVE = [
  'syscalls/sys_enter_openat',
  'syscalls/sys_exit_openat',
  'syscalls/sys_enter_read',
  'syscalls/sys_exit_read',
];
export const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

export let work: string;
export let loaderPath: string;
export let target: string;
export let untouchedTarget: string;
export let inspectTarget: string;
export const objects: Record<string, string> = {};

export async function mustRun(
  cmd: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  const res = await runProcess(cmd, args, {
    timeoutMs: 120_000,
    env: env ? { ...process.env, ...env } : undefined,
  });
  if (res.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${res.code}): ${res.stderr.toString()}${res.stdout.toString()}`,
    );
  }
  return res.stdout.toString();
}

/** Builds the loader and the fixtures into a work directory once per test file. */
export function setUpLoaderTests(): void {
  beforeAll(async () => {
    mkdirSync(paths.buildDir, { recursive: true });
    work = mkdtempSync(join(paths.buildDir, 'test-loader-'));
    let include = paths.includeDir;
    if (!existsSync(paths.vmlinuxHeader)) {
      include = join(work, 'include');
      mkdirSync(include);
      const btf = await mustRun('bpftool', [
        'btf',
        'dump',
        'file',
        '/sys/kernel/btf/vmlinux',
        'format',
        'c',
      ]);
      writeFileSync(join(include, 'vmlinux.h'), btf);
    }
    await mustRun(join(paths.loaderSourceDir, 'build.sh'), [join(work, 'native')], {
      LAB_INCLUDE_DIR: include,
    });
    loaderPath = join(work, 'native', 'loader');
    const probe = await mustRun(loaderPath, ['--probe']);
    // No BPF on this machine is a failure, never a skip.
    expect(JSON.parse(probe)).toEqual({ ok: true });

    target = join(work, 'target');
    await mustRun('gcc', ['-O2', '-o', target, join(fixtures, 'target.c')]);
    untouchedTarget = join(work, 'untouched-path');
    await mustRun('gcc', ['-O2', '-o', untouchedTarget, join(fixtures, 'untouched-path.c')]);
    inspectTarget = join(work, 'inspect');
    await mustRun('gcc', ['-O2', '-o', inspectTarget, join(fixtures, 'inspect.c')]);
    const common = join(paths.templatesDir, 'common');
    for (const name of [
      'solution',
      'submit-all',
      'null-check',
      'sec-typo',
      'composite-key',
      'bounds',
      'context-overread',
      'overread-beside',
      'every-write',
      'check-window',
      'many-globals',
      'slow-verify',
      'huge-log',
      'setup-watch',
    ]) {
      objects[name] = join(work, `${name}.bpf.o`);
      await mustRun('clang', [
        ...[
          '-g',
          '-O2',
          '-target',
          'bpf',
          '-D__TARGET_ARCH_x86',
          '-I',
          common,
          '-I',
          include,
          '-c',
        ],
        ...[join(fixtures, `${name}.bpf.c`), '-o', objects[name]],
      ]);
    }
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });
}

/** The maps of an object as the static checks see them (only the maps matter here). */
export function checkedMaps(object: string): LoaderConfig['maps'] {
  const res = checkObject(readFileSync(object), {
    sections: [],
    contextSizes: {},
    limits: {
      maxInsns: 1_000_000,
      maxMaps: 64,
      maxMapEntries: 1 << 20,
      maxMapValueBytes: 1 << 20,
      memoryBytes: 1 << 30,
    },
  });
  return mapViewOf(res);
}

let runSeq = 0;
export function config(
  object: string,
  secret: string,
  overrides: Partial<LoaderConfig['scenarios'][number]> = {},
): LoaderConfig {
  return {
    object,
    maps: checkedMaps(object),
    observe: OBSERVE,
    cgroup: cgroupForRun(`loader-test-${process.pid}-${++runSeq}`),
    limits: {
      memoryBytes: 64 << 20,
      pids: 32,
      maxRecords: 1000,
      maxSyscalls: 5000,
      maxMapEntries: 100,
      mapDumpEntries: 1000,
      mapDumpBytes: 1 << 20,
      maxOutputBytes: 4096,
      mapMemoryBytes: 64 << 20,
      verifyMs: 10_000,
      verifiedInsns: 1_000_000,
    },
    scenarios: [
      {
        id: 'main',
        target,
        args: ['/tmp/bait.txt', '/tmp/password', '/tmp/notes.txt'],
        files: [
          {
            path: '/tmp/bait.txt',
            hex: hex('not the password, just bait'),
            mode: 0o644,
          },
          { path: '/tmp/password', hex: hex(secret), mode: 0o600 },
          { path: '/tmp/notes.txt', hex: hex('some notes'), mode: 0o644 },
        ],
        wallMs: 3000,
        ...overrides,
      },
    ],
  };
}

export interface Run {
  lines: LoaderLine[];
  of<T extends LoaderLine['type']>(type: T): Extract<LoaderLine, { type: T }>[];
  submitted(): string;
  cleaned: Promise<{ exitedAfterDoneMs?: number }>;
  timings: { attachedMs?: number; doneMs?: number };
}

/** A run's lines by type, and what its programs submitted, in order, as one string. */
export function readLines(lines: LoaderLine[]) {
  const of = <T extends LoaderLine['type']>(type: T) =>
    lines.filter((l): l is Extract<LoaderLine, { type: T }> => l.type === type);
  const submitted = () =>
    of('submit')
      .map((s) => s.record.data)
      .join('');
  return { of, submitted };
}

export async function run(
  cfg: LoaderConfig,
  signal?: AbortSignal,
  onLine?: (l: LoaderLine) => void,
  onSpawn?: (pid: number) => void,
): Promise<Run> {
  const lines: LoaderLine[] = [];
  const started = performance.now();
  const timings: Run['timings'] = {};
  let cleanedUp: (v: { exitedAfterDoneMs?: number }) => void = () => {};
  const cleaned = new Promise<{ exitedAfterDoneMs?: number }>((r) => {
    cleanedUp = r;
  });
  const options: LoaderOptions = {
    loaderPath,
    onSpawn,
    onCleanedUp: (info) => cleanedUp(info),
  };
  const collect = (l: LoaderLine) => {
    lines.push(l);
    if (l.type === 'attached') timings.attachedMs = performance.now() - started;
    if (l.type === 'done') timings.doneMs = performance.now() - started;
    onLine?.(l);
  };
  try {
    await runLoader(cfg, collect, signal, options);
  } catch (e) {
    if (!signal?.aborted) throw e;
  }
  const { of, submitted } = readLines(lines);
  return { lines, of, submitted, cleaned, timings };
}

export function mapNamed(r: Run, name: string): MapDump {
  const dump = r.of('maps')[0]?.maps.find((m) => m.name === name || m.name.endsWith(name));
  if (!dump) throw new Error(`no map ${name} in ${JSON.stringify(r.of('maps'))}`);
  return dump;
}

export async function bpftoolShows(kind: 'prog' | 'map' | 'link', id: number): Promise<boolean> {
  const res = await runProcess('bpftool', [kind, 'show', 'id', String(id)], {
    timeoutMs: 10_000,
  });
  return res.code === 0;
}

/** Ids the run reported (student programs and maps, dispatcher programs, maps and links). */
export function reportedIds(r: Run): { kind: 'prog' | 'map' | 'link'; id: number }[] {
  const ids: { kind: 'prog' | 'map' | 'link'; id: number }[] = [];
  for (const l of r.of('loaded')) {
    for (const p of l.programs) ids.push({ kind: 'prog', id: p.id });
    for (const m of l.maps) ids.push({ kind: 'map', id: m.id });
  }
  for (const a of r.of('attached')) {
    for (const id of a.platform?.programs ?? []) ids.push({ kind: 'prog', id });
    for (const id of a.platform?.maps ?? []) ids.push({ kind: 'map', id });
    for (const id of a.platform?.links ?? []) ids.push({ kind: 'link', id });
  }
  return ids.filter((x) => x.id > 0);
}

/** The kernel frees programs and maps after an RCU grace period: poll briefly. */
export async function expectGone(r: Run, cgroup: string): Promise<void> {
  const ids = reportedIds(r);
  expect(ids.length).toBeGreaterThan(0);
  for (const { kind, id } of ids) {
    let shown = true;
    for (let i = 0; i < 50 && shown; i++) {
      shown = await bpftoolShows(kind, id);
      if (shown) await sleep(100);
    }
    expect(shown, `${kind} ${id} still exists`).toBe(false);
  }
  const mounts = findCgroupMounts();
  expect(existsSync(cgroup)).toBe(false);
  const rel = cgroup.slice(mounts.v2.length + 1);
  for (const root of [mounts.memory, mounts.pids])
    if (root) expect(existsSync(join(root, rel))).toBe(false);
}

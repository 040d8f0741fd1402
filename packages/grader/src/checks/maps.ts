// Checks over the student's maps as the loader dumped them at the end of each scenario.
import type { CheckParams } from '@ebpf-lab/exercises';
import type { DecodedValue, MapDump, MapEntry, ScenarioObservation } from '@ebpf-lab/protocol';
import { plural, timeline } from '../observed.ts';
import type { Outcome } from './types.ts';

export function renderValue(v: DecodedValue | undefined, hex: string): string {
  if (!v) return `0x${hex}`;
  switch (v.kind) {
    case 'int':
    case 'ptr':
      return v.value;
    case 'enum':
      return v.name ?? v.value;
    case 'chars':
      return JSON.stringify(v.text);
    case 'array':
      return `[${v.items.map((i) => renderValue(i, '')).join(', ')}]`;
    case 'struct':
      return `{${v.fields.map((f) => `${f.name}=${renderValue(f.value, '')}`).join(', ')}}`;
    case 'raw':
      return `0x${v.hex}`;
  }
}

const renderKey = (e: MapEntry) => renderValue(e.key, e.keyHex);

function findMap(obs: ScenarioObservation, name: string): MapDump | undefined {
  return obs.maps.find((m) => m.name === name);
}

export function mapEmpty(params: CheckParams<'map-empty'>, scope: ScenarioObservation[]): Outcome {
  const problems: string[] = [];
  for (const obs of scope) {
    for (const name of params.maps) {
      const m = findMap(obs, name);
      if (!m) {
        problems.push(`your program has no map named \`${name}\` (keep the starter's map names)`);
        continue;
      }
      if (m.entries.length === 0) continue;
      const keys = m.entries.slice(0, 3).map(renderKey).join('; ');
      const more = m.entries.length > 3 || m.truncated ? '; …' : '';
      problems.push(
        `after scenario "${obs.scenario}", \`${name}\` still held ${plural(m.entries.length, 'entry', 'entries')}${m.truncated ? ' or more' : ''} (keys: ${keys}${more})`,
      );
    }
    if (problems.length) break;
  }
  const names = params.maps.map((n) => `\`${n}\``).join(' and ');
  if (problems.length === 0) {
    return {
      pass: true,
      message: `${names} ${params.maps.length > 1 ? 'were' : 'was'} empty at the end of ${scope.length > 1 ? `all ${scope.length} scenarios` : 'the scenario'}, as expected.`,
    };
  }
  const unique = [...new Set(problems)];
  return {
    pass: false,
    message: `Expected ${names} to be empty once the target finished; ${unique.join('; ')}.`,
  };
}

function fieldNumber(entry: MapEntry, field: string): bigint | undefined {
  if (entry.key?.kind !== 'struct') return undefined;
  const f = entry.key.fields.find((x) => x.name === field);
  if (!f || (f.value.kind !== 'int' && f.value.kind !== 'enum')) return undefined;
  return BigInt(f.value.value);
}

export function mapTracksFds(
  params: CheckParams<'map-tracks-fds'>,
  obs: ScenarioObservation,
): Outcome {
  const m = findMap(obs, params.map);
  if (!m)
    return {
      pass: false,
      message: `Your program has no map named \`${params.map}\`; keep the starter's map names.`,
    };
  const { openAtEnd } = timeline(obs.syscalls);
  const expected: { pid: number; fd: number }[] = [];
  for (const [k, path] of openAtEnd) {
    if (path !== params.path) continue;
    const [pid, fd] = k.split(':').map(Number);
    expected.push({ pid, fd });
  }
  const seen = m.entries.map((e) => ({
    e,
    pid: fieldNumber(e, params.pidField),
    fd: fieldNumber(e, params.fdField),
  }));
  const undecoded = seen.filter((s) => s.pid === undefined || s.fd === undefined);
  if (undecoded.length) {
    return {
      pass: false,
      message: `Expected the keys of \`${params.map}\` to be structs with fields \`${params.pidField}\` and \`${params.fdField}\` (as in the starter); found ${renderKey(undecoded[0].e)}.`,
    };
  }
  // The process id alone is right; a whole pid_tgid of the opening thread is tolerated here and
  // diagnosed by the second-thread scenario instead.
  const samePid = (v: bigint, pid: number) => v === BigInt(pid) || v >> 32n === BigInt(pid);
  const missing = expected.filter(
    (x) => !seen.some((s) => samePid(s.pid!, x.pid) && s.fd === BigInt(x.fd)),
  );
  const extra = seen.filter(
    (s) => !expected.some((x) => samePid(s.pid!, x.pid) && s.fd === BigInt(x.fd)),
  );
  if (!missing.length && !extra.length) {
    return {
      pass: true,
      message: `\`${params.map}\` held exactly the ${plural(expected.length, 'fd')} under which the target still had ${params.path} open.`,
    };
  }
  const lines = [
    `At the end of the scenario the target still had ${params.path} open as ${expected.map((x) => `fd ${x.fd} of process ${x.pid}`).join(', ') || 'no fd'}.`,
  ];
  if (missing.length)
    lines.push(
      `\`${params.map}\` did not hold ${missing.map((x) => `fd ${x.fd}`).join(', ')}: your openat programs did not record it.`,
    );
  for (const s of extra.slice(0, 4)) {
    const fd = Number(s.fd);
    const path = [...openAtEnd].find(([k]) => k.endsWith(`:${fd}`))?.[1];
    lines.push(
      `It held ${renderKey(s.e)}${path ? `, but that fd is ${path}` : ', which the target did not have open to that file'}.`,
    );
  }
  return { pass: false, message: lines.join(' ') };
}

// padding-diagnosis: a composite key such as {u64; u32} has bytes no field covers. Built on the
// stack without zeroing, those bytes hold whatever was there, the map stores them, and a later
// lookup built with different leftovers misses: the program "just does not see" the reads.
// The object's BTF says where the holes are; the map dumps show whether they held garbage.
import type { CheckParams } from '@ebpf-lab/exercises';
import type { MapEntry, ScenarioObservation } from '@ebpf-lab/protocol';
import type { KeyLayout, ObjectFacts } from '../object-facts.ts';
import { bytesOf, callAround, plural, readsOf, timeline } from '../observed.ts';
import type { Outcome } from './types.ts';

interface Finding {
  scenario: string;
  map: string;
  keyType?: string;
  keySize: number;
  count: number;
  example: { offset: number; hex: string };
}

const spaced = (hex: string) => hex.match(/../g)?.join(' ') ?? hex;

function dirtyPadding(
  entry: MapEntry,
  layout: KeyLayout | undefined,
): { offset: number; hex: string } | undefined {
  if (entry.key?.kind === 'struct' && entry.key.padding?.length) return entry.key.padding[0];
  if (!layout) return undefined;
  const key = bytesOf(entry.keyHex);
  for (const h of layout.holes) {
    const bytes = key.subarray(h.offset, h.offset + h.size);
    if (bytes.some((b) => b !== 0)) return { offset: h.offset, hex: bytes.toString('hex') };
  }
  return undefined;
}

function describeHoles(layout: KeyLayout): string {
  const holes = layout.holes.map((h) =>
    h.size === 1 ? `byte ${h.offset}` : `bytes ${h.offset}–${h.offset + h.size - 1}`,
  );
  return `${layout.type ?? 'the key'} is ${layout.size} bytes, of which ${holes.join(' and ')} belong to no field`;
}

/** How many reads of `path` the student's programs let pass without a submission. */
function misses(scope: ScenarioObservation[], path: string): { reads: number; caught: number } {
  let reads = 0;
  let caught = 0;
  for (const obs of scope) {
    const { calls } = timeline(obs.syscalls);
    reads += readsOf(calls, path).calls;
    const hit = new Set<number>();
    for (const s of obs.submissions) {
      const c = callAround(calls, s);
      if (c?.name === 'read' && c.fdPath === path) hit.add(c.index);
    }
    caught += hit.size;
  }
  return { reads, caught };
}

export function paddingDiagnosis(
  params: CheckParams<'padding-diagnosis'>,
  scope: ScenarioObservation[],
  object: ObjectFacts,
): Outcome {
  const layouts = new Map((object.mapKeys ?? []).map((l) => [l.map, l]));
  const wanted = (name: string) => !params.maps || params.maps.includes(name);
  const findings: Finding[] = [];
  for (const obs of scope) {
    for (const m of obs.maps) {
      if (!wanted(m.name)) continue;
      const dirty = m.entries
        .map((e) => dirtyPadding(e, layouts.get(m.name)))
        .filter((d) => d !== undefined);
      if (dirty.length) {
        findings.push({
          scenario: obs.scenario,
          map: m.name,
          keyType: m.keyType,
          keySize: m.keySize,
          count: dirty.length,
          example: dirty[0],
        });
      }
    }
  }
  const padded = [...layouts.values()].filter((l) => wanted(l.map) && l.holes.length > 0);
  if (findings.length === 0) {
    if (padded.length) {
      return {
        pass: true,
        message: `${padded.map(describeHoles).join('; ')}; every key your maps held had those bytes zeroed.`,
      };
    }
    return { pass: true, message: 'No key in your maps held non-zero padding bytes.' };
  }
  const f = findings[0];
  const layout = layouts.get(f.map);
  const lines = [
    `Expected every byte of a map key to be set by your program. In scenario "${f.scenario}", \`${f.map}\` held ${plural(f.count, 'key')} whose padding was not zero (bytes at offset ${f.example.offset}: ${spaced(f.example.hex)}).`,
  ];
  if (layout && layout.holes.length)
    lines.push(`${describeHoles(layout)[0].toUpperCase()}${describeHoles(layout).slice(1)}.`);
  else
    lines.push(
      `The key type ${f.keyType ?? ''} (${f.keySize} bytes) has bytes that belong to no field.`.replace(
        '  ',
        ' ',
      ),
    );
  let explains: Outcome['explains'];
  if (params.path) {
    const { reads, caught } = misses(scope, params.path);
    if (reads > caught) {
      // Lookups that miss are why the answer checks captured nothing or only part.
      explains = ['nothing', 'missed'];
      lines.push(
        `Across the scenarios the target read ${params.path} ${plural(reads, 'time')} and your programs submitted at ${caught} of those reads: lookups that miss look exactly like this.`,
      );
    } else if (reads > 0) {
      lines.push(
        'This time the leftover bytes were the same when you stored the key and when you looked it up, so the lookups still hit: that is luck, and it changes with the code around it.',
      );
    }
  }
  return { pass: false, message: lines.join(' '), ...(explains ? { explains } : {}) };
}

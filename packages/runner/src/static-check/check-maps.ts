// The static checks' part about maps (check.ts runs it): every map the object defines, read from
// its BTF as libbpf reads it, against the exercise's limits on count, entries, value size and
// memory; lab.h's own ring buffer told apart by its shape.
import { BTF_KIND, resolveType, typeSize } from './btf.ts';
import type { Btf } from './btf.ts';
import type { MapInfo, StaticLimits } from './check-types.ts';
import { ElfError, printable } from './elf.ts';
import type { ElfFile } from './elf.ts';

/**
 * lab.h's ring buffer, which the lab accounts for itself. Recognised by what it is, not by its
 * name: a student map named lab_events with another shape is the student's, and refused.
 */
const LAB_RINGBUF = {
  name: 'lab_events',
  fields: ['type', 'max_entries'],
  type: 27,
  maxEntries: 256 * 1024,
};
const PER_CPU = new Set([5, 6, 10]);

const MAP_TYPES: Record<number, string> = {
  1: 'hash',
  2: 'array',
  5: 'percpu_hash',
  6: 'percpu_array',
  9: 'lru_hash',
  10: 'lru_percpu_hash',
  27: 'ringbuf',
};
const RINGBUF = 27;

/**
 * The member layout of a struct type, for the grader's padding diagnosis. Undefined for anything
 * else, and for bitfields, whose bytes a member covers only in part.
 */
function structLayout(btf: Btf, id: number): MapInfo['key'] {
  const { type } = resolveType(btf, id);
  if (type.kind !== BTF_KIND.STRUCT) return undefined;
  const members: { name: string; offset: number; size: number }[] = [];
  for (const m of type.members) {
    const size = typeSize(btf, m.type);
    if (size === undefined || m.offset % 8 !== 0) return undefined;
    members.push({ name: m.name, offset: m.offset / 8, size });
  }
  return { type: `struct ${type.name}`, members };
}

export function checkMaps(
  elf: ElfFile,
  btf: Btf,
  limits: StaticLimits,
  labNames: Set<string>,
  data: { bytes: number; sections: string[] },
  cpus: number,
  maps: MapInfo[],
  refuse: (code: string, message: string, where?: { name: string }) => void,
): void {
  const datasecs = btf.types.filter((t) => t.kind === BTF_KIND.DATASEC && t.name === '.maps');
  if (datasecs.length > 1) throw new ElfError('.BTF describes .maps twice');
  const mapsSec = datasecs[0];
  const hasMapsSection = elf.byName('.maps') !== undefined;
  if (hasMapsSection && !mapsSec) throw new ElfError('.maps has no BTF description');
  // The compiler leaves a DATASEC's size 0 for libbpf to fill in from the section; a size set
  // by hand would make libbpf trust the hand-made layout.
  if (mapsSec && mapsSec.sizeOrType !== 0)
    throw new ElfError('the BTF description of .maps was not made by the compiler');
  let memory = data.bytes;
  let studentMaps = data.sections.length;
  let labRingbufSeen = false;
  for (const v of mapsSec?.members ?? []) {
    const variable = resolveType(btf, v.type).type;
    if (variable.kind !== BTF_KIND.VAR)
      throw new ElfError('.maps holds something that is not a variable');
    const name = variable.name;
    const def = resolveType(btf, variable.sizeOrType).type;
    if (def.kind !== BTF_KIND.STRUCT) throw new ElfError(`map ${name} is not a struct definition`);
    const info: MapInfo = { name, type: 'unknown', keySize: 0, valueSize: 0, maxEntries: 0 };
    let typeId = 0;
    const fields: string[] = [];
    for (const m of def.members) {
      fields.push(m.name);
      const ptr = resolveType(btf, m.type).type;
      if (ptr.kind !== BTF_KIND.PTR)
        throw new ElfError(`map ${name} field ${m.name} is not a pointer`);
      const target = resolveType(btf, ptr.sizeOrType).type;
      // __uint(field, N) is `int (*field)[N]`; __type(field, T) is `T *field`.
      const num = target.kind === BTF_KIND.ARRAY ? (target.array?.nelems ?? 0) : undefined;
      if (
        num === undefined &&
        ['type', 'max_entries', 'key_size', 'value_size', 'map_flags'].includes(m.name)
      ) {
        throw new ElfError(`map ${name} field ${m.name} is not a number`);
      }
      const size = () => typeSize(btf, ptr.sizeOrType) ?? 0;
      switch (m.name) {
        case 'type':
          typeId = num ?? 0;
          break;
        case 'max_entries':
          info.maxEntries = num ?? 0;
          break;
        case 'key_size':
          info.keySize = num ?? 0;
          break;
        case 'value_size':
          info.valueSize = num ?? 0;
          break;
        case 'key':
          info.keySize = size();
          info.key = structLayout(btf, ptr.sizeOrType);
          break;
        case 'value':
          info.valueSize = size();
          break;
        case 'map_flags':
          info.flags = num ?? 0;
          break;
        case 'pinning':
          refuse(
            'static/map-pinning',
            `map ${name} is pinned; pinned maps outlive the run, so pinning is not allowed`,
            { name },
          );
          break;
        default:
          refuse(
            'static/map-field',
            `map ${name} sets "${printable(m.name)}", which the lab does not allow`,
            { name },
          );
      }
    }
    info.type = MAP_TYPES[typeId] ?? `type ${typeId}`;
    maps.push(info);
    const isLabRingbuf =
      name === LAB_RINGBUF.name &&
      typeId === LAB_RINGBUF.type &&
      info.maxEntries === LAB_RINGBUF.maxEntries &&
      fields.join() === LAB_RINGBUF.fields.join();
    if (isLabRingbuf && !labRingbufSeen) {
      labRingbufSeen = true;
      continue;
    }
    if (labNames.has(name)) {
      refuse(
        'static/reserved-name',
        `map ${name} is not lab.h's ${name}: names starting with lab_ are reserved for lab.h`,
        { name },
      );
    }
    studentMaps += 1;
    if (!MAP_TYPES[typeId]) {
      refuse(
        'static/map-type',
        `map ${name} has type ${typeId}; allowed: hash, array, their per-CPU and LRU variants, ring buffers`,
        { name },
      );
      continue;
    }
    if (typeId === RINGBUF) {
      memory += info.maxEntries;
    } else {
      if (info.maxEntries > limits.maxMapEntries) {
        refuse(
          'static/map-size',
          `map ${name} has max_entries ${info.maxEntries}; the limit is ${limits.maxMapEntries}`,
          { name },
        );
      }
      if (info.valueSize > limits.maxMapValueBytes) {
        refuse(
          'static/map-size',
          `map ${name} has ${info.valueSize}-byte values; the limit is ${limits.maxMapValueBytes} bytes`,
          { name },
        );
      }
      if (info.keySize > limits.maxMapValueBytes) {
        refuse(
          'static/map-size',
          `map ${name} has ${info.keySize}-byte keys; the limit is ${limits.maxMapValueBytes} bytes`,
          { name },
        );
      }
      // A per-CPU map keeps a value, rounded up to 8 bytes, for every possible CPU.
      const valueBytes = PER_CPU.has(typeId)
        ? Math.ceil(info.valueSize / 8) * 8 * cpus
        : info.valueSize;
      memory += (info.keySize + valueBytes) * info.maxEntries;
    }
  }
  if (studentMaps > limits.maxMaps) {
    const globals = data.sections.length
      ? ` (${data.sections.length} of them for your globals: ${data.sections.join(', ')})`
      : '';
    refuse(
      'static/map-count',
      `your file defines ${studentMaps} maps${globals}; the limit is ${limits.maxMaps}`,
    );
  }
  if (memory > limits.memoryBytes) {
    refuse(
      'static/map-memory',
      `your maps and globals need ${memory} bytes; the limit is ${limits.memoryBytes} bytes`,
    );
  }
}

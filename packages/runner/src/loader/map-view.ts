// The static checks' view of an object's maps, as the loader compares it with libbpf's before
// anything is created (native/loader/map-check.c): any difference refuses the object.
import type { LoaderMapView } from '@ebpf-lab/protocol';
import type { StaticResult } from '../static-check/index.ts';

export function mapViewOf(result: Pick<StaticResult, 'maps' | 'globals'>): LoaderMapView[] {
  const maps = result.maps.map((m) => ({
    name: m.name,
    type: m.type,
    keySize: m.keySize,
    valueSize: m.valueSize,
    maxEntries: m.maxEntries,
    flags: m.flags ?? 0,
  }));
  // libbpf makes each non-empty global section a one-entry array with 4-byte keys.
  const globals = result.globals
    .filter((g) => g.bytes > 0)
    .map((g) => ({
      name: g.section,
      type: 'array',
      keySize: 4,
      valueSize: g.bytes,
      maxEntries: 1,
      flags: 0,
    }));
  return [...maps, ...globals];
}

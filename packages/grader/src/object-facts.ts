// Facts about the student's compiled object that some checks need, derived by the runner from
// the object's BTF. All optional: a check degrades to what the observations show on their own.
import { z } from 'zod';

export const KeyLayout = z.object({
  /** Map name as in the student's source. */
  map: z.string(),
  /** BTF name of the key type, e.g. `struct file_key`. */
  type: z.string().optional(),
  size: z.number().int().nonnegative(),
  /** The key's fields, by offset and size in bytes, as the object's BTF lays them out. */
  members: z
    .array(
      z.object({
        name: z.string(),
        offset: z.number().int().nonnegative(),
        size: z.number().int().positive(),
      }),
    )
    .optional(),
  /** Bytes of the key no field covers (alignment holes and tail padding). */
  holes: z.array(
    z.object({
      offset: z.number().int().nonnegative(),
      size: z.number().int().positive(),
    }),
  ),
});
export type KeyLayout = z.infer<typeof KeyLayout>;

export const ObjectFacts = z.object({ mapKeys: z.array(KeyLayout).optional() });
export type ObjectFacts = z.infer<typeof ObjectFacts>;

/** Picks the facts this package understands out of whatever the runner passed; ignores the rest. */
export function objectFacts(object: unknown): ObjectFacts {
  if (typeof object !== 'object' || object === null) return {};
  const mapKeys = z.array(KeyLayout).safeParse((object as Record<string, unknown>).mapKeys);
  return mapKeys.success ? { mapKeys: mapKeys.data } : {};
}

/**
 * The byte ranges of a struct no member covers: alignment holes and tail padding. For the runner,
 * which reads member offsets and sizes from the object's BTF (bit offsets divided by 8).
 */
export function keyHoles(
  size: number,
  members: { offset: number; size: number }[],
): KeyLayout['holes'] {
  const covered = new Uint8Array(size);
  for (const m of members)
    covered.fill(1, Math.max(0, m.offset), Math.min(size, m.offset + m.size));
  const holes: KeyLayout['holes'] = [];
  for (let i = 0; i < size; i++) {
    if (covered[i]) continue;
    const last = holes.at(-1);
    if (last && last.offset + last.size === i) last.size++;
    else holes.push({ offset: i, size: 1 });
  }
  return holes;
}

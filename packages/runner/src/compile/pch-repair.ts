// A precompiled lab.h that no longer matches its headers (one was touched or regenerated, the
// checkout moved, clang was upgraded) makes every compile fail inside a lab header. That is the
// platform's fault, never the student's: the compile asks here whether the PCH itself is broken
// (a probe file that includes nothing else fails with it), and if so the PCH is rebuilt once and
// the compile retried. A header error the student caused (re-including a header past its guard)
// leaves the probe passing, so it stays a compile error and costs no rebuild.
import { join } from 'node:path';
import { buildPch } from './build-pch.ts';

/** The smallest file that loads the PCH: any mismatch between the PCH and its headers fails it. */
export const PCH_PROBE_SOURCE = 'int lab_pch_probe;\n';

/** A rebuild that did not help (a broken toolchain) is not tried again for this long. */
const FAILED_REBUILD_COOLDOWN_MS = 60_000;

interface Repair {
  startedAt: number;
  settled: boolean;
  failed: boolean;
  done: Promise<void>;
}
/** The last repair of each PCH, shared by every compile that finds it broken meanwhile. */
const repairs = new Map<string, Repair>();

export interface PchRepairOptions {
  pch: string;
  includeDir: string;
  /** Compiles PCH_PROBE_SOURCE with the PCH; resolves with clang's complaint, or null when it compiled. */
  probe: () => Promise<string | null>;
  /** Told what was rebuilt and why (the operator's log). */
  log?: (message: string) => void;
}

function startRepair(opts: PchRepairOptions, complaint: string): Repair {
  const repair: Repair = {
    startedAt: performance.now(),
    settled: false,
    failed: false,
    done: Promise.resolve(),
  };
  repair.done = (async () => {
    try {
      try {
        await buildPch(join(opts.includeDir, 'lab.h'), opts.pch, opts.includeDir);
      } catch (e) {
        throw new Error(
          `the precompiled lab.h is unusable (${complaint}) and rebuilding it failed: ${(e as Error).message}`,
        );
      }
      const after = await opts.probe();
      if (after !== null)
        throw new Error(`the precompiled lab.h is still unusable after a rebuild (${after})`);
      const ms = Math.round(performance.now() - repair.startedAt);
      opts.log?.(
        `the precompiled lab.h was unusable (${complaint}); rebuilt ${opts.pch} in ${ms} ms`,
      );
    } catch (e) {
      repair.failed = true;
      throw e;
    } finally {
      repair.settled = true;
    }
  })();
  return repair;
}

/**
 * Resolves true when the PCH was broken and has been rebuilt (retry the compile), false when
 * the PCH works (the failure is the student's). Throws when it is broken and cannot be repaired.
 */
export async function repairPch(opts: PchRepairOptions): Promise<boolean> {
  const complaint = await opts.probe();
  if (complaint === null) return false;
  let repair = repairs.get(opts.pch);
  if (repair?.failed && performance.now() - repair.startedAt < FAILED_REBUILD_COOLDOWN_MS) {
    throw new Error(
      `the precompiled lab.h is unusable (${complaint}) and a rebuild less than a minute ago failed: run npm run setup`,
    );
  }
  if (!repair || repair.settled) {
    repair = startRepair(opts, complaint);
    repairs.set(opts.pch, repair);
  }
  await repair.done;
  return true;
}

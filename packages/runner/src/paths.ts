// Where the set-up step (scripts/lab.mjs) puts what it builds. One place, so the runner,
// the server, the tests and the set-up agree.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'bpf-templates'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (no bpf-templates/)');
    dir = parent;
  }
  return dir;
}

export const repoRoot = process.env.LAB_ROOT ? resolve(process.env.LAB_ROOT) : findRepoRoot();
export const templatesDir = join(repoRoot, 'bpf-templates');
export const buildDir = process.env.LAB_BUILD_DIR
  ? resolve(process.env.LAB_BUILD_DIR)
  : join(repoRoot, 'build');

export const paths = {
  repoRoot,
  templatesDir,
  buildDir,
  /** Headers the student's file may include: vmlinux.h (generated) and lab.h (copied). */
  includeDir: join(buildDir, 'include'),
  vmlinuxHeader: join(buildDir, 'include', 'vmlinux.h'),
  labHeader: join(buildDir, 'include', 'lab.h'),
  /** Precompiled lab.h (+ vmlinux.h, libbpf headers), built with the exact compile flags. */
  pch: join(buildDir, 'include', 'lab.h.pch'),
  /** The loader's and the dispatcher's sources (build.sh, test fixtures). */
  loaderSourceDir: join(repoRoot, 'native', 'loader'),
  loader: join(buildDir, 'native', 'loader'),
  dispatcherObject: join(buildDir, 'native', 'dispatcher.bpf.o'),
  /** Built target of an exercise: build/targets/<id>/target. */
  target: (exerciseId: string) => join(buildDir, 'targets', exerciseId, 'target'),
  /** The cgroup v2 directory under which every run gets its own cgroup. */
  cgroupParentName: 'ebpf-lab',
} as const;

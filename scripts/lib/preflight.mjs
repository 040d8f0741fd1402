// What the machine must offer, each problem explained once with what to do about it.
import { existsSync, readFileSync } from 'node:fs';
import { hasCommand, probe } from './proc.mjs';

export const BTF_PATH = '/sys/kernel/btf/vmlinux';
export const TRACEFS = '/sys/kernel/tracing';
export const BPFFS = '/sys/fs/bpf';

export class PreflightError extends Error {}

/** Mount points from /proc/mounts as { type, dir } pairs. */
export function mounts(text = readFileSync('/proc/mounts', 'utf8')) {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [, dir, type] = l.split(' ');
      // /proc/mounts escapes spaces and the like as octal.
      return {
        type,
        dir: dir.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))),
      };
    });
}

/** Where cgroup v2 is mounted: /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid ones. */
export function findCgroup2(list = mounts()) {
  return list.find((m) => m.type === 'cgroup2')?.dir ?? null;
}

export function isMounted(dir, type, list = mounts()) {
  return list.some((m) => m.dir === dir && m.type === type);
}

/** Checks that need nothing installed. Returns one message per problem. */
export function basicProblems() {
  const problems = [];
  if (process.getuid?.() !== 0) {
    problems.push(
      'Not running as root. The lab loads BPF programs, creates a cgroup per run and mounts ' +
        'tracefs, which needs root: run it again as root (sudo npm start).',
    );
  }
  if (!existsSync(BTF_PATH)) {
    problems.push(
      `This kernel has no BTF (${BTF_PATH} is missing). lab.h takes every kernel type from it: ` +
        'boot a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian 12 kernels are).',
    );
  }
  if (!findCgroup2()) {
    problems.push(
      'No cgroup v2 hierarchy in /proc/mounts. Every run is scoped to its own cgroup v2: mount ' +
        'one (mount -t cgroup2 none /sys/fs/cgroup/unified) or boot with ' +
        'systemd.unified_cgroup_hierarchy=1.',
    );
  }
  return problems;
}

export function clangMissing(installError) {
  if (hasCommand('clang')) return null;
  const why = installError ? ` and installing it failed (${installError.split('\n')[0]})` : '';
  return (
    `clang is not installed${why}. Every submission is compiled with clang -target bpf: ` +
    'install it (apt-get install clang llvm), check that apt can reach its mirror, then start again.'
  );
}

export function tracefsMissing(mountError) {
  return (
    `tracefs is not mounted at ${TRACEFS} and mounting it failed (${mountError}). The ` +
    'tracepoints exercises hook are described there: mount it ' +
    `(mount -t tracefs tracefs ${TRACEFS}), or run the container privileged with the host's /sys.`
  );
}

/**
 * Loads a trivial program without attaching it (the verifier runs, nothing executes). Uses the
 * lab's own loader once it is built, bpftool's feature probe before that.
 */
export function bpfLoadProblem(loaderPath) {
  let ok;
  let how;
  if (existsSync(loaderPath)) {
    how = `${loaderPath} --probe`;
    ok = probe(loaderPath, ['--probe']) !== null;
  } else if (hasCommand('bpftool')) {
    how = 'bpftool feature probe';
    const json = probe('bpftool', ['-j', 'feature', 'probe', 'kernel']);
    try {
      ok = JSON.parse(json ?? '{}').program_types?.have_tracepoint_prog_type === true;
    } catch {
      ok = false;
    }
  } else {
    return 'bpftool is not installed, so BPF loading cannot be checked: apt-get install bpftool.';
  }
  if (ok) return null;
  return (
    `This machine does not let the lab load BPF programs (tried: ${how}). Run as root on the ` +
    'host, or in a container with --privileged (or --cap-add BPF,PERFMON,SYS_ADMIN and ' +
    '--security-opt seccomp=unconfined); check that kernel lockdown is off.'
  );
}

// The set-up steps shared by start, test, grade and bench. Each step prints one line, skips
// itself when its stamp (a hash of its inputs) is current, and either succeeds or throws a
// StepError/PreflightError that says what to do.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { line, seconds } from './log.mjs';
import { npmStaleReason } from './npm-deps.mjs';
import {
  BPFFS,
  BTF_PATH,
  PreflightError,
  TRACEFS,
  basicProblems,
  bpfLoadProblem,
  clangMissing,
  isMounted,
  tracefsMissing,
} from './preflight.mjs';
import { StepError, hasCommand, probe, run } from './proc.mjs';
import { Stamps, hashInputs } from './stamps.mjs';

/** Debian packages the lab needs at run time and for its tests. */
export const APT_PACKAGES = [
  'clang',
  'llvm',
  'libbpf-dev',
  'bpftool',
  'libelf-dev',
  'libjson-c-dev', // the native loader's JSON lines
  'zlib1g-dev',
  'gcc',
  'libc6-dev',
  'make',
  'pkg-config',
  'bubblewrap',
  'clangd',
  'util-linux', // prlimit, flock
  'chromium', // browser tests
  'fonts-liberation', // so headless Chromium renders text
  'postgresql', // the shared store's tests start a temporary cluster
  'redis-server', // the distributed grading tests start a temporary Redis
];

/** Mirrors packages/runner/src/paths.ts (this script runs before TypeScript tooling exists). */
export function labPaths(root) {
  const build = process.env.LAB_BUILD_DIR ?? join(root, 'build');
  return {
    root,
    build,
    stamps: join(build, '.stamps'),
    include: join(build, 'include'),
    vmlinux: join(build, 'include', 'vmlinux.h'),
    labHeader: join(build, 'include', 'lab.h'),
    pch: join(build, 'include', 'lab.h.pch'),
    native: join(build, 'native'),
    loader: join(build, 'native', 'loader'),
    targets: join(build, 'targets'),
    templates: join(root, 'bpf-templates'),
    web: join(root, 'apps', 'web'),
    tsx: join(root, 'node_modules', '.bin', 'tsx'),
    vite: join(root, 'node_modules', '.bin', 'vite'),
  };
}

function missingInput(p, name, input) {
  const rel = relative(p.root, input) || input;
  throw new StepError(`${rel} is missing: the ${name} step cannot run without it`);
}

function dpkgInstalled(pkgs) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\n', ...pkgs], {
    encoding: 'utf8',
  });
  return new Set(
    (r.stdout ?? '')
      .split('\n')
      .filter((l) => / ii ?$/.test(l))
      .map((l) => l.split(' ')[0].split(':')[0]),
  );
}

async function aptPackages(p) {
  if (!hasCommand('dpkg-query') || !hasCommand('apt-get')) {
    line('packages', 'skipped: not a Debian system, install the packages of README.md by hand');
    return;
  }
  const installed = dpkgInstalled(APT_PACKAGES);
  const missing = APT_PACKAGES.filter((pkg) => !installed.has(pkg));
  if (missing.length === 0) {
    line('packages', 'ok');
    return;
  }
  const t = performance.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let installError = null;
  try {
    // Another apt (unattended-upgrades on a fresh machine) may hold the lock for a while.
    const wait = ['-o', 'DPkg::Lock::Timeout=300'];
    await run('apt-get', [...wait, 'update', '-qq'], { env });
    await run('apt-get', [...wait, 'install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  } catch (e) {
    installError = e.message;
  }
  const clang = clangMissing(installError);
  if (clang) throw new PreflightError(clang);
  if (installError) throw new StepError(`installing ${missing.join(' ')} failed:\n${installError}`);
  line('packages', `installed ${missing.join(' ')} (${seconds(performance.now() - t)})`);
}

async function npmDeps(p) {
  const reason = npmStaleReason(p.root);
  if (!reason) {
    line('npm', 'ok');
    return;
  }
  const t = performance.now();
  await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: p.root });
  line('npm', `npm ci (${reason}) (${seconds(performance.now() - t)})`);
}

function mountIfMissing(name, dir, type, onError) {
  if (isMounted(dir, type)) return 'mounted';
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    // /sys is not writable; the directory usually exists already.
  }
  const r = spawnSync('mount', ['-t', type, type === 'bpf' ? 'bpf' : type, dir], { encoding: 'utf8' });
  if (r.status === 0) return 'mounted now';
  return onError((r.stderr || r.error?.message || `exit ${r.status}`).trim());
}

export function mountsStep() {
  const tracefs = mountIfMissing('tracefs', TRACEFS, 'tracefs', (err) => {
    throw new PreflightError(tracefsMissing(err));
  });
  // bpffs is only needed by tools that pin; the lab refuses pinning, so a failure is a note.
  const bpffs = mountIfMissing('bpffs', BPFFS, 'bpf', (err) => `not mounted (${err})`);
  line('mounts', `tracefs ${tracefs}, bpffs ${bpffs}`);
}

export async function vmlinuxHeader(p, stamps) {
  const hash = hashInputs([BTF_PATH, `=${probe('bpftool', ['version']) ?? ''}`], p.root);
  if (stamps.fresh('vmlinux', hash, [p.vmlinux])) {
    line('vmlinux.h', 'up to date');
    return;
  }
  const t = performance.now();
  mkdirSync(p.include, { recursive: true });
  // Written aside and renamed so a compile running meanwhile never sees half a header.
  const tmp = `${p.vmlinux}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    await run('bpftool', ['btf', 'dump', 'file', BTF_PATH, 'format', 'c'], { stdoutFd: fd });
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, p.vmlinux);
  stamps.write('vmlinux', hash);
  const kib = Math.round(statSync(p.vmlinux).size / 1024);
  line('vmlinux.h', `generated from the running kernel (${kib} KiB, ${seconds(performance.now() - t)})`);
}

export function labHeader(p, stamps) {
  const src = join(p.templates, 'common', 'lab.h');
  if (!existsSync(src)) return missingInput(p, 'lab.h', src);
  const hash = hashInputs([src], p.root);
  if (stamps.fresh('lab-h', hash, [p.labHeader])) {
    line('lab.h', 'up to date');
    return;
  }
  mkdirSync(p.include, { recursive: true });
  copyFileSync(src, `${p.labHeader}.tmp`);
  renameSync(`${p.labHeader}.tmp`, p.labHeader);
  stamps.write('lab-h', hash);
  line('lab.h', 'copied');
}

/** Runs a build command when the hash of its inputs changed; `inputs` must all exist. */
async function stampedBuild(p, stamps, { name, stamp, inputs, extra = [], outputs, cmd, args, cwd }) {
  for (const input of inputs) {
    if (!existsSync(input)) return missingInput(p, name, input);
  }
  const hash = hashInputs([...inputs, ...extra], p.root);
  if (stamps.fresh(stamp, hash, outputs)) {
    line(name, 'up to date');
    return;
  }
  const t = performance.now();
  await run(cmd, args, { cwd: cwd ?? p.root });
  const absent = outputs.filter((o) => !existsSync(o));
  if (absent.length) {
    throw new StepError(`${name}: ${[cmd, ...args].join(' ')} did not produce ${absent.join(', ')}`);
  }
  stamps.write(stamp, hash);
  line(name, `built (${seconds(performance.now() - t)})`);
}

function clangVersion() {
  return `=${probe('clang', ['--version'])?.split('\n')[0] ?? ''}`;
}

export function pch(p, stamps) {
  const script = join(p.root, 'packages/runner/src/compile/build-pch.ts');
  return stampedBuild(p, stamps, {
    name: 'pch',
    stamp: 'pch',
    inputs: [script, p.labHeader, p.vmlinux],
    // The flags live beside the compile function; any change there may change the PCH.
    extra: [join(p.root, 'packages/runner/src/compile'), clangVersion()],
    outputs: [p.pch],
    cmd: p.tsx,
    args: [script],
  });
}

export function native(p, stamps) {
  const script = join(p.templates, 'native', 'build.sh');
  return stampedBuild(p, stamps, {
    name: 'native',
    stamp: 'native',
    inputs: [script, p.vmlinux],
    extra: [join(p.templates, 'native'), join(p.templates, 'common'), clangVersion()],
    outputs: [p.loader],
    cmd: 'bash',
    args: [script, p.native],
  });
}

export async function targets(p, stamps) {
  const dirs = existsSync(p.templates)
    ? readdirSync(p.templates, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(p.templates, d.name, 'exercise.json')))
        .map((d) => d.name)
    : [];
  if (dirs.length === 0) throw new StepError(`no exercises under ${relative(p.root, p.templates)}/`);
  let built = 0;
  const t = performance.now();
  for (const id of dirs) {
    const src = join(p.templates, id, 'target.c');
    if (!existsSync(src)) throw new StepError(`bpf-templates/${id}/target.c is missing`);
    const out = join(p.targets, id, 'target');
    const hash = hashInputs([src, `=${probe('gcc', ['-dumpfullversion']) ?? ''}`], p.root);
    if (stamps.fresh(`target-${id}`, hash, [out])) continue;
    mkdirSync(join(p.targets, id), { recursive: true });
    await run('gcc', ['-O2', '-pthread', '-o', out, src]);
    stamps.write(`target-${id}`, hash);
    built++;
  }
  line('targets', built ? `built ${built} of ${dirs.length} (${seconds(performance.now() - t)})` : 'up to date');
}

export function web(p, stamps) {
  return stampedBuild(p, stamps, {
    name: 'web',
    stamp: 'web',
    inputs: [join(p.web, 'index.html')],
    // The bundle also takes the shared schemas and every installed package version.
    extra: [p.web, join(p.root, 'packages'), join(p.root, 'package-lock.json')],
    outputs: [join(p.web, 'dist', 'index.html')],
    cmd: p.vite,
    args: ['build', '--logLevel', 'warn'],
    cwd: p.web,
  });
}

export function bpfProbe(p) {
  const problem = bpfLoadProblem(p.loader);
  if (problem) throw new PreflightError(problem);
  line('bpf', 'loading programs works');
}

/** Everything `npm start` and `npm test` need, in order. */
export async function setup(root) {
  const p = labPaths(root);
  const problems = basicProblems();
  if (problems.length) throw new PreflightError(problems.join('\n'));
  const stamps = new Stamps(p.stamps);
  await aptPackages(p);
  await npmDeps(p);
  mountsStep();
  await vmlinuxHeader(p, stamps);
  labHeader(p, stamps);
  await pch(p, stamps);
  await native(p, stamps);
  bpfProbe(p);
  await targets(p, stamps);
  await web(p, stamps);
  return p;
}

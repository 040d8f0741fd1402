// Fair shares of the lab between its clients: a client is a signed-in user (whatever address
// they come from) or, signed out, a client address. Without this, one client opening dozens of
// sockets could fill the run queue in front of everyone. Signed-in users are counted per user,
// not per address: a class behind one NAT address signs in.
//
// One process counts runs in its memory. Web nodes sharing a store count them in the store, so a
// client spreading its runs over the nodes still gets one share: each run holds a lease there,
// renewed by its node while it is queued or running. Sockets are always counted per process.
import type { Store } from '@ebpf-lab/store';
import type { LabClient } from '../identity.ts';

export interface FairShareLimits {
  socketsPerUser: number;
  socketsPerAddress: number;
  /** Queued or running runs per user, or per signed-out address. */
  runsActivePerClient: number;
  /** Signed-out runs started per minute per address (signed-in users are counted in the store). */
  runsPerMinutePerAddress: number;
}

/** `release` gives the share back; it resolves once other nodes see it free, and never rejects. */
export type Grant = { ok: true; release(): Promise<void> } | { ok: false; message: string };

/** The store's run shares, when several web nodes share it. */
export type SharedRunShares = Pick<Store, 'takeRunShare' | 'renewRunShares' | 'releaseRunShare'>;

const MINUTE_MS = 60_000;
/**
 * How long a run's share outlives its node: a node that dies frees its clients' shares this long
 * after its last renewal. Renewed three times per lease, so one slow renewal loses nothing.
 */
export const SHARE_LEASE_MS = 30_000;

export function clientKey(client: LabClient): string {
  return client.user ? `user:${client.user.id}` : `address:${client.address}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export class FairShare {
  private readonly sockets = new Map<string, number>();
  private readonly active = new Map<string, number>();
  private readonly started = new Map<string, number[]>();

  /** Run ids whose shares this node holds in the shared store, renewed while held. */
  private readonly held = new Set<string>();
  private renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: FairShareLimits,
    private readonly now: () => number = Date.now,
    private readonly shared?: SharedRunShares,
  ) {}

  /** A /ws connection; refused beyond the client's share, with the limit named. */
  openSocket(client: LabClient): Grant {
    const limit = client.user ? this.limits.socketsPerUser : this.limits.socketsPerAddress;
    const who = client.user ? 'per signed-in user' : 'per address for signed-out visitors';
    return this.take(
      this.sockets,
      clientKey(client),
      limit,
      () =>
        `Too many open lab tabs: at most ${plural(limit, 'connection')} ${who}. Close a tab and reload.`,
    );
  }

  /**
   * A run about to be accepted: its client's active runs and, signed out, its rate. Rejects only
   * when the shared store cannot answer.
   */
  async startRun(client: LabClient, runId: string): Promise<Grant> {
    return this.shared
      ? this.startSharedRun(client, runId, this.shared)
      : this.startLocalRun(client);
  }

  private perMinuteRefusal(perMinute: number): Grant {
    return {
      ok: false,
      message: `Run limit reached: at most ${plural(perMinute, 'run')} per minute from one address while signed out. Wait a few seconds and run again.`,
    };
  }

  private activeRefusal(): string {
    const limit = this.limits.runsActivePerClient;
    return `You already have ${plural(limit, 'run')} queued or running: wait for one to finish.`;
  }

  private async startSharedRun(
    client: LabClient,
    runId: string,
    shared: SharedRunShares,
  ): Promise<Grant> {
    const now = this.now();
    const verdict = await shared.takeRunShare({
      runId,
      clientKey: clientKey(client),
      activeLimit: this.limits.runsActivePerClient,
      // Signed-in users' runs per minute are counted with their stored runs.
      perMinute: client.user ? null : this.limits.runsPerMinutePerAddress,
      heldUntil: now + SHARE_LEASE_MS,
      now,
    });
    if (verdict === 'per-minute') return this.perMinuteRefusal(this.limits.runsPerMinutePerAddress);
    if (verdict === 'active') return { ok: false, message: this.activeRefusal() };
    this.held.add(runId);
    this.renewal ??= setInterval(() => this.renewShares(shared), SHARE_LEASE_MS / 3).unref();
    return {
      ok: true,
      release: async () => {
        if (!this.held.delete(runId)) return;
        if (this.held.size === 0) {
          clearInterval(this.renewal);
          this.renewal = undefined;
        }
        // A share whose release fails is freed when its lease lapses.
        await shared.releaseRunShare(runId).catch(() => {});
      },
    };
  }

  private renewShares(shared: SharedRunShares): void {
    // A failed renewal is retried at the next one, well before the lease lapses.
    shared.renewRunShares([...this.held], this.now() + SHARE_LEASE_MS).catch(() => {});
  }

  private startLocalRun(client: LabClient): Grant {
    const key = clientKey(client);
    if (!client.user) {
      const perMinute = this.limits.runsPerMinutePerAddress;
      const since = this.now() - MINUTE_MS;
      if (this.started.size > 1000) this.forgetBefore(since);
      const recent = (this.started.get(key) ?? []).filter((t) => t > since);
      this.started.set(key, recent);
      if (recent.length >= perMinute) return this.perMinuteRefusal(perMinute);
    }
    const grant = this.take(this.active, key, this.limits.runsActivePerClient, () =>
      this.activeRefusal(),
    );
    if (grant.ok && !client.user) this.started.get(key)?.push(this.now());
    return grant;
  }

  /** Drops addresses with no run in the last minute, so the map does not grow for ever. */
  private forgetBefore(since: number): void {
    for (const [key, times] of this.started) {
      if (!times.some((t) => t > since)) this.started.delete(key);
    }
  }

  private take(
    counts: Map<string, number>,
    key: string,
    limit: number,
    refusal: () => string,
  ): Grant {
    const held = counts.get(key) ?? 0;
    if (held >= limit) return { ok: false, message: refusal() };
    counts.set(key, held + 1);
    let released = false;
    return {
      ok: true,
      release: async () => {
        if (released) return;
        released = true;
        const left = (counts.get(key) ?? 1) - 1;
        if (left > 0) counts.set(key, left);
        else counts.delete(key);
      },
    };
  }
}

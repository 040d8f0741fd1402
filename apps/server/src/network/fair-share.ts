// Fair shares of the lab between its clients: a client is a signed-in user (whatever address
// they come from) or, signed out, a client address. Without this, one client opening dozens of
// sockets could fill the run queue in front of everyone. Signed-in users are counted per user,
// not per address: a class behind one NAT address signs in.
import type { SessionUser } from '../routes/auth/index.ts';

/** Who is asking, settled once when the WebSocket is opened. */
export interface LabClient {
  user: SessionUser | null;
  /** The client's address (through `trust proxy`). */
  address: string;
}

export interface FairShareLimits {
  socketsPerUser: number;
  socketsPerAddress: number;
  /** Queued or running runs per user, or per signed-out address. */
  runsActivePerClient: number;
  /** Signed-out runs started per minute per address (signed-in users are counted in the store). */
  runsPerMinutePerAddress: number;
}

export type Grant = { ok: true; release(): void } | { ok: false; message: string };

const MINUTE_MS = 60_000;

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

  constructor(
    private readonly limits: FairShareLimits,
    private readonly now: () => number = Date.now,
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

  /** A run about to be accepted: its client's active runs and, signed out, its rate. */
  startRun(client: LabClient): Grant {
    const key = clientKey(client);
    if (!client.user) {
      const perMinute = this.limits.runsPerMinutePerAddress;
      const since = this.now() - MINUTE_MS;
      if (this.started.size > 1000) this.forgetBefore(since);
      const recent = (this.started.get(key) ?? []).filter((t) => t > since);
      this.started.set(key, recent);
      if (recent.length >= perMinute) {
        return {
          ok: false,
          message: `Run limit reached: at most ${plural(perMinute, 'run')} per minute from one address while signed out. Wait a few seconds and run again.`,
        };
      }
    }
    const limit = this.limits.runsActivePerClient;
    const grant = this.take(
      this.active,
      key,
      limit,
      () => `You already have ${plural(limit, 'run')} queued or running: wait for one to finish.`,
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
      release: () => {
        if (released) return;
        released = true;
        const left = (counts.get(key) ?? 1) - 1;
        if (left > 0) counts.set(key, left);
        else counts.delete(key);
      },
    };
  }
}

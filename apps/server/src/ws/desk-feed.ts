// The live desk over /ws. An instructor's page asks to follow one course (`watch-course`); from
// then on, each time a run of one of that course's students changes state in the run lifecycle
// (accepted, running, finished, interrupted), the page gets a `desk-run` message and asks the
// desk's routes for what changed. Both ends are checked when the message is sent, not only when
// the page started following: the watcher must still teach the course, the run must have been
// made for it and its author must be a student of it, so nobody hears of another course's runs.
// A student's own connections hear `comments-changed` when a comment on one of their runs is
// written, edited or deleted.
//
// Runs are announced by the web node whose lifecycle holds them: with several web nodes, a desk
// open on one node hears only the runs accepted on that node (see the README).
import type { OutgoingMessage } from '@ebpf-lab/protocol';
import type { Store } from '@ebpf-lab/store';
import type { Logger } from 'pino';
import { isCourseStaff } from '../course-roles.ts';
import type { LabClient } from '../identity.ts';
import type { RunLifecycle, RunTransition } from '../runs/run-lifecycle.ts';

/** One WebSocket connection, as the feed sees it. */
export interface FeedClient {
  who: LabClient;
  send(message: OutgoingMessage): void;
}

/** The lifecycle's states as the desk names them: `accepted` is stored as queued. */
const DESK_STATE = {
  accepted: 'queued',
  running: 'running',
  finished: 'finished',
  interrupted: 'interrupted',
} as const;

export class DeskFeed {
  /** Connections and the course each one follows (null: none). */
  private readonly clients = new Map<FeedClient, string | null>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /** Follows every run of `lifecycle`; returns the unsubscribe. */
  follow(lifecycle: RunLifecycle): () => void {
    // One announcement at a time: each waits on the store, and a run's `running` must not
    // overtake its `queued` on the way to the desk.
    let announced: Promise<void> = Promise.resolve();
    return lifecycle.subscribe((t) => {
      announced = announced
        .then(() => this.runChanged(t))
        .catch((err: unknown) =>
          this.logger.error({ err, runId: t.runId }, 'the live desk could not announce a run'),
        );
    });
  }

  /** A connection opened; returns what to call when it closes. */
  add(client: FeedClient): () => void {
    this.clients.set(client, null);
    return () => this.clients.delete(client);
  }

  async watch(client: FeedClient, courseId: string): Promise<void> {
    const user = client.who.user;
    const role = user ? await this.store.enrollmentRole(courseId, user.id) : undefined;
    if (!this.clients.has(client)) return;
    if (!isCourseStaff(role)) {
      client.send({
        type: 'error',
        code: 'forbidden',
        message: 'Only the staff of a course can follow its runs.',
      });
      return;
    }
    this.clients.set(client, courseId);
    client.send({ type: 'watching', courseId });
  }

  unwatch(client: FeedClient): void {
    if (this.clients.has(client)) this.clients.set(client, null);
  }

  /** Tells the student's open connections that a comment on one of their runs changed. */
  commentsChanged(studentId: string, runId: string, exerciseId: string): void {
    for (const client of this.clients.keys()) {
      if (client.who.user?.id === studentId) {
        client.send({ type: 'comments-changed', runId, exerciseId });
      }
    }
  }

  private async runChanged(t: RunTransition): Promise<void> {
    if (t.state === 'queued') return; // queue positions: the desk shows the run as waiting already
    const studentId = t.origin.userId;
    if (!studentId) return;
    const byCourse = new Map<string, FeedClient[]>();
    for (const [client, courseId] of this.clients) {
      if (courseId) byCourse.set(courseId, [...(byCourse.get(courseId) ?? []), client]);
    }
    for (const [courseId, watchers] of byCourse) {
      // A run made for another course (or practice) is not this course's business.
      if (t.courseId !== courseId) continue;
      if ((await this.store.enrollmentRole(courseId, studentId)) !== 'student') continue;
      for (const client of watchers) {
        const user = client.who.user;
        if (!user || !isCourseStaff(await this.store.enrollmentRole(courseId, user.id))) continue;
        // Still following this course (it may have moved on while the store answered).
        if (this.clients.get(client) !== courseId) continue;
        client.send({
          type: 'desk-run',
          courseId,
          studentId,
          exerciseId: t.exerciseId,
          runId: t.runId,
          kind: t.origin.kind,
          state: DESK_STATE[t.state],
        });
      }
    }
  }
}

import { useEffect, useState } from 'react';
import { STAGE_TITLES } from '@ebpf-lab/protocol/constants';
import type { LiveRun, LiveStage } from './live-run.ts';
import { progressOf } from './live-run.ts';

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(performance.now()), 100);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function formatMs(ms: number): string {
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

const ICON: Record<LiveStage['state'], string> = {
  pending: '○',
  running: '◌',
  ok: '✓',
  failed: '✕',
  skipped: '–',
};

const STATE_LABEL: Record<LiveStage['state'], string> = {
  pending: 'waiting',
  running: 'running',
  ok: 'done',
  failed: 'failed',
  skipped: 'skipped',
};

export function StageBar({ run }: { run: LiveRun }) {
  const active = run.phase === 'running' || run.phase === 'queued' || run.phase === 'sending';
  const now = useNow(active);
  const { done, total } = progressOf(run);
  return (
    <div className="stage-bar">
      <div
        className="progress"
        role="progressbar"
        aria-label="Run progress"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
      >
        <div className="progress-fill" style={{ width: `${(done / total) * 100}%` }} />
      </div>
      <ol className="stages" aria-label="Stages">
        {run.stages.map((stage) => {
          const duration =
            stage.durationMs ??
            (stage.state === 'running' && stage.startedAt ? now - stage.startedAt : undefined);
          return (
            <li
              key={stage.name}
              className={`stage stage-${stage.state}`}
              data-testid={`stage-${stage.name}`}
              data-state={stage.state}
            >
              <span className="stage-icon" aria-hidden="true">
                {ICON[stage.state]}
              </span>
              <span className="stage-name">{STAGE_TITLES[stage.name]}</span>
              <span className="visually-hidden">{STATE_LABEL[stage.state]}</span>
              {duration !== undefined && stage.state !== 'skipped' && (
                <span className="stage-time">{formatMs(duration)}</span>
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

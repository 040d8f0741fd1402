import { useEffect, useState } from 'react';
import { Link } from '../shell/router.tsx';
import { useResolvedTheme } from '../storage/preferences.ts';
import { useProgress } from '../storage/progress.ts';
import type { Attempt } from '../storage/progress.ts';
import { DiffView } from './DiffView.tsx';

function label(a: Attempt, i: number): string {
  return `#${i + 1} · ${new Date(a.at).toLocaleString()} · ${a.status}`;
}

export default function HistoryPage({ id }: { id: string }) {
  const progress = useProgress();
  const theme = useResolvedTheme();
  const attempts = progress[id]?.attempts ?? [];
  const [left, setLeft] = useState(Math.max(0, attempts.length - 2));
  const [right, setRight] = useState(Math.max(0, attempts.length - 1));
  useEffect(() => {
    document.title = `Attempt history · eBPF Lab`;
  }, []);

  return (
    <div className="history">
      <header className="page-header">
        <p className="eyebrow">
          <Link href={`/exercises/${encodeURIComponent(id)}`}>← Back to the exercise</Link>
        </p>
        <h1>Attempt history</h1>
        <p className="muted">
          {attempts.length} {attempts.length === 1 ? 'run' : 'runs'} kept in this browser.
        </p>
      </header>
      {attempts.length === 0 ? (
        <p className="empty">
          No runs yet. Each run's code is kept here so you can compare attempts.
        </p>
      ) : (
        <>
          <table className="data-table attempts">
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">When</th>
                <th scope="col">Result</th>
                <th scope="col">Checks</th>
                <th scope="col">Summary</th>
              </tr>
            </thead>
            <tbody>
              {attempts.map((a, i) => (
                <tr key={a.runId}>
                  <td>#{i + 1}</td>
                  <td>{new Date(a.at).toLocaleString()}</td>
                  <td>
                    <span className={`badge badge-${a.status}`}>{a.status}</span>
                    {!a.gradable && <span className="muted small"> not counted</span>}
                  </td>
                  <td>
                    {a.passedChecks}/{a.totalChecks}
                  </td>
                  <td className="small">{a.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="diff-pickers">
            <label>
              Compare
              <select value={left} onChange={(e) => setLeft(Number(e.target.value))}>
                {attempts.map((a, i) => (
                  <option key={a.runId} value={i}>
                    {label(a, i)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              with
              <select value={right} onChange={(e) => setRight(Number(e.target.value))}>
                {attempts.map((a, i) => (
                  <option key={a.runId} value={i}>
                    {label(a, i)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <DiffView
            left={attempts[left]?.code ?? ''}
            right={attempts[right]?.code ?? ''}
            theme={theme}
          />
        </>
      )}
    </div>
  );
}

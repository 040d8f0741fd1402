import Markdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import type { ExerciseDetail } from '@ebpf-lab/protocol';
import { HighlightedCode } from './HighlightedCode.tsx';

const components = { code: HighlightedCode };

export function Instructions({ exercise }: { exercise: ExerciseDetail }) {
  return (
    <div className="instructions" data-testid="instructions">
      <p className="eyebrow">
        Chapter {exercise.chapter} · {exercise.chapterTitle}
      </p>
      <h1 className="exercise-title">{exercise.title}</h1>
      <article className="markdown">
        {/* react-markdown renders no raw HTML by default: exercise text cannot inject markup. */}
        <Markdown remarkPlugins={[remarkGfm]} components={components}>
          {exercise.instructions}
        </Markdown>
      </article>
      {exercise.checks.length > 0 && (
        <section aria-label="What is checked" className="side-section">
          <h2 className="side-title">What is checked</h2>
          <ul className="plain-list">
            {exercise.checks.map((c) => (
              <li key={c.id}>
                {c.title} {!c.required && <span className="tag">bonus</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
      {exercise.helpers.length > 0 && (
        <section aria-label="Helper reference" className="side-section">
          <h2 className="side-title">Helper reference</h2>
          {exercise.helpers.map((h) => (
            <details key={h.name} className="helper">
              <summary>
                <code>{h.name}</code>
              </summary>
              <pre className="helper-signature">
                <HighlightedCode className="language-c">{h.signature}</HighlightedCode>
              </pre>
              <div className="markdown small">
                <Markdown remarkPlugins={[remarkGfm]} components={components}>
                  {h.description}
                </Markdown>
              </div>
            </details>
          ))}
        </section>
      )}
    </div>
  );
}

import { memo, useState } from 'react';
import Markdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import type { ExerciseDetail } from '@ebpf-lab/protocol';
import { HighlightedCode } from './HighlightedCode.tsx';

const components = { code: HighlightedCode };

type Helper = ExerciseDetail['helpers'][number];

/**
 * One helper, closed at first. Its signature and text are rendered when it is first opened: on a
 * cold load, parsing every helper's Markdown and colouring every signature took the main thread
 * from the editor for text nobody sees yet.
 */
function HelperEntry({ helper }: { helper: Helper }) {
  const [opened, setOpened] = useState(false);
  return (
    <details
      className="helper"
      onToggle={(e) => {
        if (e.currentTarget.open) setOpened(true);
      }}
    >
      <summary>
        <code>{helper.name}</code>
      </summary>
      {opened && (
        <>
          <pre className="helper-signature">
            <HighlightedCode className="language-c">{helper.signature}</HighlightedCode>
          </pre>
          <div className="markdown small">
            <Markdown remarkPlugins={[remarkGfm]} components={components}>
              {helper.description}
            </Markdown>
          </div>
        </>
      )}
    </details>
  );
}

/**
 * The exercise's text. Memoised: the page around it re-renders on every change of the connection,
 * the autosave and the editor's state, and parsing the Markdown again each time held up the
 * editor on a cold load.
 */
export const Instructions = memo(function Instructions({ exercise }: { exercise: ExerciseDetail }) {
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
            <HelperEntry key={h.name} helper={h} />
          ))}
        </section>
      )}
    </div>
  );
});

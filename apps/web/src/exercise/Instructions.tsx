import { memo, useEffect, useState } from 'react';
import Markdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import type { ExerciseDetail } from '@ebpf-lab/protocol';
import { whenIdle } from '../shell/when-idle.ts';
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

/** The longest the instructions' body waits for the editor when the main thread is never idle. */
const TEXT_WAIT_MS = 1500;

/**
 * True once the editor is up (or failed), or earlier if the main thread falls idle while it loads.
 * On a cold load, parsing and rendering the Markdown (100 to 200 ms of the main thread) came before
 * Monaco's start and the editor's creation, the page's slowest steps; now it takes the first idle
 * moment (Monaco's chunk still downloading or parsing) or the time after the editor.
 */
function useTextShown(editorLoading: boolean): boolean {
  // Once shown, the text stays: a reloaded editor panel does not hide it again.
  const [shown, setShown] = useState(!editorLoading);
  useEffect(() => {
    if (shown) return;
    if (!editorLoading) {
      setShown(true);
      return;
    }
    return whenIdle(() => setShown(true), TEXT_WAIT_MS);
  }, [editorLoading, shown]);
  return shown || !editorLoading;
}

/**
 * The exercise's text. Memoised: the page around it re-renders on every change of the connection,
 * the autosave and the editor's state, and parsing the Markdown again each time held up the
 * editor on a cold load.
 */
export const Instructions = memo(function Instructions({
  exercise,
  editorLoading = false,
}: {
  exercise: ExerciseDetail;
  /** The editor is still loading: the body waits for an idle moment or the editor. */
  editorLoading?: boolean;
}) {
  const textShown = useTextShown(editorLoading);
  return (
    <div className="instructions" data-testid="instructions">
      <p className="eyebrow">
        Chapter {exercise.chapter} · {exercise.chapterTitle}
      </p>
      <h1 className="exercise-title">{exercise.title}</h1>
      <article className="markdown" aria-busy={!textShown}>
        {/* react-markdown renders no raw HTML by default: exercise text cannot inject markup. */}
        {textShown && (
          <Markdown remarkPlugins={[remarkGfm]} components={components}>
            {exercise.instructions}
          </Markdown>
        )}
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

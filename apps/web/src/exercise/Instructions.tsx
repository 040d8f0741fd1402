import { memo, startTransition, useEffect, useState } from 'react';
import type { ReactElement } from 'react';
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
    // A transition: the text's parts render with breaks between them for the student's clicks
    // and keys (see InstructionsText).
    return whenIdle(() => startTransition(() => setShown(true)), TEXT_WAIT_MS);
  }, [editorLoading, shown]);
  return shown || !editorLoading;
}

/** Parts of about this many characters: small enough to parse in a few milliseconds each. */
const PART_CHARS = 600;

/**
 * The text cut into parts at block boundaries where a cut changes nothing: before a line that
 * starts in the first column after a blank line (outside fenced code), unless it starts a list item
 * (it may belong to the list before). Nothing continues across such a line: a paragraph ended at
 * the blank line, and a list item's own paragraphs are indented. Neighbouring blocks are joined
 * up to PART_CHARS. Not cut when the text has link reference definitions (`[name]: url`), which
 * apply to the whole text.
 */
export function markdownParts(text: string, partChars = PART_CHARS): string[] {
  const lines = text.split('\n');
  if (lines.some((line) => /^ {0,3}\[[^\]]+\]:/.test(line))) return [text];
  const parts: string[] = [];
  let current: string[] = [];
  let size = 0;
  let fence: string | null = null;
  let afterBlank = false;
  for (const line of lines) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    const startsBlock =
      fence === null && afterBlank && /^\S/.test(line) && !/^([-*+]|\d{1,9}[.)])(\s|$)/.test(line);
    if (startsBlock && size > 0 && size >= partChars) {
      parts.push(current.join('\n'));
      current = [];
      size = 0;
    }
    if (fence === null && marker) fence = marker;
    else if (fence !== null && marker && marker[0] === fence[0] && marker.length >= fence.length)
      fence = null;
    afterBlank = line.trim() === '';
    current.push(line);
    size += line.length + 1;
  }
  parts.push(current.join('\n'));
  return parts;
}

// Parsed parts by their text: a render that a click or a key interrupts starts again, and finds
// the parts it had already parsed here.
const parsed = new Map<string, ReactElement>();

function Part({ text }: { text: string }) {
  let element = parsed.get(text);
  if (!element) {
    // react-markdown renders no raw HTML by default: exercise text cannot inject markup.
    element = Markdown({ remarkPlugins: [remarkGfm], components, children: text });
    if (parsed.size > 200) parsed.clear();
    parsed.set(text, element);
  }
  return element;
}

/**
 * The exercise's Markdown, a part per component: rendered in a transition, React hands the main
 * thread back to the browser between parts, so the student's first click or key into the
 * editor is not held until the whole text has been parsed (100 to 200 ms on a cold load).
 */
function InstructionsText({ text }: { text: string }) {
  return markdownParts(text).map((part, i) => <Part key={i} text={part} />);
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
        {textShown && <InstructionsText text={exercise.instructions} />}
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

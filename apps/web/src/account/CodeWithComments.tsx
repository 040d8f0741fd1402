import { Fragment, useState } from 'react';
import type { FormEvent } from 'react';
import type { LineComment } from './account-api.ts';

export interface CodeWithCommentsProps {
  code: string;
  comments: LineComment[];
  /** When given (instructors), a line's number opens a form to comment on it. */
  onComment?: (line: number, body: string) => Promise<void>;
}

/** A submission's code, line by line, with the instructor's comments under their lines. */
export function CodeWithComments({ code, comments, onComment }: CodeWithCommentsProps) {
  const [open, setOpen] = useState<number | null>(null);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState('');
  const lines = code.split('\n');

  const submit = async (event: FormEvent, line: number) => {
    event.preventDefault();
    if (!onComment || !draft.trim()) return;
    try {
      await onComment(line, draft.trim());
      setDraft('');
      setOpen(null);
      setError('');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <table className="code-lines" data-testid="submission-code">
      <tbody>
        {lines.map((text, i) => {
          const line = i + 1;
          const here = comments.filter((c) => c.line === line);
          return (
            <Fragment key={line}>
              <tr data-line={line}>
                <td className="code-line-number">
                  {onComment ? (
                    <button
                      type="button"
                      className="link-button"
                      title={`Comment on line ${line}`}
                      data-testid={`comment-line-${line}`}
                      onClick={() => setOpen(open === line ? null : line)}
                    >
                      {line}
                    </button>
                  ) : (
                    line
                  )}
                </td>
                <td className="code-line-text">
                  <code>{text || ' '}</code>
                </td>
              </tr>
              {here.map((c) => (
                <tr key={c.id} className="code-comment-row">
                  <td />
                  <td>
                    <div className="code-comment" data-testid="line-comment" data-line={line}>
                      <strong>{c.authorName}</strong>{' '}
                      <span className="muted small">on line {line}</span>
                      <p>{c.body}</p>
                    </div>
                  </td>
                </tr>
              ))}
              {open === line && (
                <tr className="code-comment-row">
                  <td />
                  <td>
                    <form className="code-comment-form" onSubmit={(e) => void submit(e, line)}>
                      <label>
                        <span className="visually-hidden">Comment on line {line}</span>
                        <textarea
                          value={draft}
                          onChange={(e) => setDraft(e.target.value)}
                          rows={3}
                          maxLength={4000}
                          data-testid="comment-text"
                          autoFocus
                        />
                      </label>
                      <div className="form-actions">
                        <button
                          type="submit"
                          className="button button-primary"
                          data-testid="comment-save"
                        >
                          Comment on line {line}
                        </button>
                        <button type="button" className="button" onClick={() => setOpen(null)}>
                          Cancel
                        </button>
                      </div>
                      {error && (
                        <p role="alert" className="form-error">
                          {error}
                        </p>
                      )}
                    </form>
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

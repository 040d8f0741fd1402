import { Fragment, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { LineComment } from './account-api.ts';
import { FormError } from '../shell/FormError.tsx';

export interface CodeWithCommentsProps {
  code: string;
  comments: LineComment[];
  /** When given (instructors), a line's number opens a form to comment on it. */
  onComment?: (line: number, body: string) => Promise<void>;
  /** The signed-in user: their own comments can be edited and deleted. */
  meId?: string;
  onEdit?: (comment: LineComment, body: string) => Promise<void>;
  onDelete?: (comment: LineComment) => Promise<void>;
  /** Colours the code as the student's editor does, once Monaco has loaded. */
  theme?: 'light' | 'dark';
}

/**
 * Each line of `code` as Monaco's C tokenizer colours it in the editor (HTML that Monaco
 * escapes itself), or null until Monaco has loaded or when it cannot.
 */
function useHighlightedLines(code: string, theme: 'light' | 'dark' | undefined): string[] | null {
  const [lines, setLines] = useState<string[] | null>(null);
  useEffect(() => {
    if (!theme) return;
    let cancelled = false;
    void import('../editor/monaco.ts')
      .then(({ monaco }) => {
        monaco.editor.setTheme(theme === 'dark' ? 'lab-dark' : 'lab-light');
        // C's tokenizer is registered with the editor's chunk (editor/monaco.ts): no wait.
        const model = monaco.editor.createModel(code, 'c');
        try {
          const html: string[] = [];
          for (let i = 1; i <= model.getLineCount(); i++) {
            html.push(monaco.editor.colorizeModelLine(model, i, 4));
          }
          if (!cancelled) setLines(html);
        } finally {
          model.dispose();
        }
      })
      .catch(() => {
        // Uncoloured code is still the right code.
      });
    return () => {
      cancelled = true;
    };
  }, [code, theme]);
  return lines;
}

function CommentForm({
  label,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  label: string;
  initial: string;
  submitLabel: string;
  onSubmit: (body: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState(initial);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft.trim()) return;
    setBusy(true);
    try {
      await onSubmit(draft.trim());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  return (
    <form className="code-comment-form" onSubmit={(e) => void submit(e)}>
      <label>
        <span className="visually-hidden">{label}</span>
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
          disabled={busy}
          data-testid="comment-save"
        >
          {submitLabel}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <FormError message={error} />
    </form>
  );
}

/** A submission's code, line by line, with the instructor's comments under their lines. */
export function CodeWithComments({
  code,
  comments,
  onComment,
  meId,
  onEdit,
  onDelete,
  theme,
}: CodeWithCommentsProps) {
  const [open, setOpen] = useState<number | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const [error, setError] = useState('');
  const lines = code.split('\n');
  const highlighted = useHighlightedLines(code, theme);

  const remove = async (c: LineComment) => {
    try {
      await onDelete?.(c);
      setConfirmDelete(null);
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
          const html = highlighted?.[i];
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
                  {html !== undefined ? (
                    // Monaco's colorizer escapes the source; the HTML holds only its own spans.
                    <code data-highlight="c" dangerouslySetInnerHTML={{ __html: html }} />
                  ) : (
                    <code>{text || ' '}</code>
                  )}
                </td>
              </tr>
              {here.map((c) => (
                <tr key={c.id} className="code-comment-row">
                  <td />
                  <td>
                    {editing === c.id && onEdit ? (
                      <CommentForm
                        label={`Edit your comment on line ${line}`}
                        initial={c.body}
                        submitLabel="Save"
                        onSubmit={async (body) => {
                          await onEdit(c, body);
                          setEditing(null);
                        }}
                        onCancel={() => setEditing(null)}
                      />
                    ) : (
                      <div className="code-comment" data-testid="line-comment" data-line={line}>
                        <strong>{c.authorName}</strong>{' '}
                        <span className="muted small">
                          on line {line}
                          {c.editedAt && ' · edited'}
                        </span>
                        <p>{c.body}</p>
                        {meId && c.authorId === meId && (onEdit || onDelete) && (
                          <div className="comment-actions">
                            {onEdit && (
                              <button
                                type="button"
                                className="link-button small"
                                data-testid="comment-edit"
                                onClick={() => setEditing(c.id)}
                              >
                                Edit
                              </button>
                            )}
                            {onDelete &&
                              (confirmDelete === c.id ? (
                                <>
                                  <span className="small">Delete this comment?</span>
                                  <button
                                    type="button"
                                    className="link-button small"
                                    data-testid="comment-delete-confirm"
                                    onClick={() => void remove(c)}
                                  >
                                    Delete
                                  </button>
                                  <button
                                    type="button"
                                    className="link-button small"
                                    onClick={() => setConfirmDelete(null)}
                                  >
                                    Keep it
                                  </button>
                                </>
                              ) : (
                                <button
                                  type="button"
                                  className="link-button small"
                                  data-testid="comment-delete"
                                  onClick={() => setConfirmDelete(c.id)}
                                >
                                  Delete
                                </button>
                              ))}
                            {error && confirmDelete === c.id && (
                              <span role="alert" className="form-error small">
                                {error}
                              </span>
                            )}
                          </div>
                        )}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
              {open === line && onComment && (
                <tr className="code-comment-row">
                  <td />
                  <td>
                    <CommentForm
                      label={`Comment on line ${line}`}
                      initial=""
                      submitLabel={`Comment on line ${line}`}
                      onSubmit={async (body) => {
                        await onComment(line, body);
                        setOpen(null);
                      }}
                      onCancel={() => setOpen(null)}
                    />
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

// The editor's status area: a notice from what is attached to the editor (why there are no
// diagnostics, what to do), under the text. Always in the page, so screen readers hear changes.
import { Link } from '../shell/router.tsx';
import type { EditorNotice } from './editor-context.ts';

export function EditorStatus({ notice }: { notice: EditorNotice | null }) {
  return (
    <div
      className={`editor-status${notice ? ` editor-status-${notice.tone}` : ''}`}
      role="status"
      aria-live="polite"
      data-testid="editor-status"
      data-notice={notice?.id ?? ''}
    >
      {notice && (
        <>
          <span>{notice.text}</span>
          {notice.link && (
            <Link href={notice.link.href} data-testid="editor-status-link">
              {notice.link.label}
            </Link>
          )}
        </>
      )}
    </div>
  );
}

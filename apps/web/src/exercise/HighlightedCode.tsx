import { useEffect, useRef } from 'react';
import type { ComponentProps } from 'react';
import { whenCodeEditorLoaded } from '../editor/load-editor.ts';
import { whenIdle } from '../shell/when-idle.ts';

const C_LIKE = new Set(['c', 'h', 'cpp', 'bpf']);

/**
 * A code element of the instructions. Fenced blocks labelled C and helper signatures are coloured by
 * Monaco's own tokenizer once the editor has loaded it, so they match the editor; until then, and
 * for inline code, the plain text shows. The colouring never starts Monaco itself (the editor
 * starts it when the student is not typing), and then waits for an idle moment.
 */
export function HighlightedCode({
  className,
  children,
  node: _node,
  ...rest
}: ComponentProps<'code'> & { node?: unknown }) {
  const ref = useRef<HTMLElement>(null);
  const text = String(children ?? '');
  const language = /language-(\w+)/.exec(className ?? '')?.[1] ?? '';
  const block = language !== '' || text.includes('\n');

  useEffect(() => {
    if (!block || !C_LIKE.has(language)) return;
    let cancelled = false;
    let cancelIdle = () => {};
    // Evaluated already, with the editor's chunk.
    const colour = () =>
      import('../editor/monaco.ts')
        .then(
          ({ monaco }) =>
            new Promise<string>((resolve, reject) => {
              cancelIdle = whenIdle(() => {
                if (cancelled) return;
                monaco.editor
                  .colorize(text.replace(/\n$/, ''), 'c', { tabSize: 4 })
                  .then(resolve, reject);
              }, 2000);
            }),
        )
        .then((html) => {
          // colorize escapes the source itself: the HTML holds only its own spans.
          if (!cancelled && ref.current) ref.current.innerHTML = html;
        })
        .catch(() => {
          // Uncoloured code is still correct code.
        });
    const cancelWait = whenCodeEditorLoaded(() => {
      void colour();
    });
    return () => {
      cancelled = true;
      cancelWait();
      cancelIdle();
    };
  }, [block, language, text]);

  return (
    <code
      ref={ref}
      className={[className, block ? 'code-block' : ''].filter(Boolean).join(' ') || undefined}
      data-highlight={block && C_LIKE.has(language) ? 'c' : undefined}
      {...rest}
    >
      {children}
    </code>
  );
}

// The instructions render part by part; the result must be the page the whole text makes.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Markdown from 'react-markdown';
import { renderToStaticMarkup } from 'react-dom/server';
import remarkGfm from 'remark-gfm';
import { describe, expect, it } from 'vitest';
import { HighlightedCode } from './HighlightedCode.tsx';
import { markdownParts } from './Instructions.tsx';

const templates = join(import.meta.dirname, '..', '..', '..', '..', 'bpf-templates');
const components = { code: HighlightedCode };
const html = (text: string) =>
  renderToStaticMarkup(
    <Markdown remarkPlugins={[remarkGfm]} components={components}>
      {text}
    </Markdown>,
  );
/** The parts' pages one after the other: the whole text's blocks are separated by a newline. */
const partsHtml = (parts: string[]) => parts.map(html).join('\n');

describe('markdown parts', () => {
  it('are cut where a block starts in the first column after a blank line, and give back the text', () => {
    const text = 'Intro.\n\n# One\nA.\n\nB\ncontinued.\n\n| a |\n|---|\n| 1 |\n';
    const parts = markdownParts(text, 0);
    expect(parts).toEqual(['Intro.\n', '# One\nA.\n', 'B\ncontinued.\n', '| a |\n|---|\n| 1 |\n']);
    expect(parts.join('\n')).toBe(text);
    expect(partsHtml(parts)).toBe(html(text));
  });

  it('keep a list together, with its items, their indented paragraphs and a loose item', () => {
    const text = '- one\n\n  more of one\n\n- two\n\n1. first\n2. second\n\n3) third\n\nAfter.';
    const parts = markdownParts(text, 0);
    expect(parts).toEqual([
      '- one\n\n  more of one\n\n- two\n\n1. first\n2. second\n\n3) third\n',
      'After.',
    ]);
    expect(partsHtml(parts)).toBe(html(text));
  });

  it('do not cut inside fenced code, whatever its fence', () => {
    const text = 'A\n\n```c\n\nint x;\n~~~\n\ny\n```\n\nB\n\n~~~~\n\nz\n```\n~~~~\n\nC';
    const parts = markdownParts(text, 0);
    expect(parts).toEqual([
      'A\n',
      '```c\n\nint x;\n~~~\n\ny\n```\n',
      'B\n',
      '~~~~\n\nz\n```\n~~~~\n',
      'C',
    ]);
    expect(partsHtml(parts)).toBe(html(text));
  });

  it('leave a text with link reference definitions whole', () => {
    const text = '# A\n\nSee [the docs][d].\n\n# B\n\n[d]: https://example.org\n';
    expect(markdownParts(text, 0)).toEqual([text]);
  });

  it('are joined up to a few hundred characters', () => {
    const text = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} ${'word '.repeat(20)}`).join(
      '\n\n',
    );
    const parts = markdownParts(text);
    expect(parts.length).toBeGreaterThan(4);
    expect(parts.length).toBeLessThan(12);
    expect(parts.join('\n')).toBe(text);
  });

  it("render every exercise's instructions exactly as the whole text does", () => {
    const names = readdirSync(templates).filter((name) =>
      readdirSync(join(templates, name)).includes('README.md'),
    );
    expect(names.length).toBeGreaterThan(10);
    let cut = 0;
    for (const name of names) {
      const text = readFileSync(join(templates, name, 'README.md'), 'utf8');
      for (const size of [0, undefined]) {
        const parts = markdownParts(text, size);
        if (parts.length > 2) cut++;
        expect(partsHtml(parts), `${name} in parts of ${size ?? 'the default size'}`).toBe(
          html(text),
        );
      }
    }
    // The texts were cut, not left whole.
    expect(cut).toBeGreaterThan(10);
  });
});

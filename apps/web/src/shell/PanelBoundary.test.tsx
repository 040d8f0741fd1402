import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useState } from 'react';
import { byText, click, render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
import { PageErrorBoundary } from './PageErrorBoundary.tsx';
import { PanelBoundary } from './PanelBoundary.tsx';

let view: Rendered | undefined;
afterEach(() => view?.unmount());
// React and the boundary report a caught error on the console; the tests assert on the page.
beforeEach(() => {
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
  panel.broken = false;
});

// React renders a failed tree a second time before it gives up on it: a panel stays broken
// until the test mends it.
const panel = { broken: false };

function Fragile({ text }: { text: string }) {
  if (panel.broken) throw new Error('a panel bug');
  return <p data-testid="fragile">{text}</p>;
}

function Page({ audience }: { audience: 'student' | 'instructor' }) {
  const [typed, setTyped] = useState('');
  return (
    <div>
      <input data-testid="code" value={typed} onChange={(e) => setTyped(e.target.value)} />
      <PanelBoundary title="The maps tab" audience={audience}>
        <Fragile text="maps" />
      </PanelBoundary>
      <p data-testid="sibling">still here</p>
    </div>
  );
}

describe('panel error boundary', () => {
  it('keeps the rest of the page and offers to reload the panel, which mounts it again', () => {
    panel.broken = true;
    view = render(<Page audience="student" />);
    const fallback = view.container.querySelector('[data-testid="panel-failed"]');
    expect(fallback?.textContent).toContain('The maps tab failed to show.');
    expect(fallback?.textContent).toContain('your code is kept');
    expect(view.container.querySelector('[data-testid="sibling"]')?.textContent).toBe('still here');
    expect(view.container.querySelector('[data-testid="fragile"]')).toBeNull();

    panel.broken = false;
    click(byText(view.container, 'button', 'Reload this panel'));
    expect(view.container.querySelector('[data-testid="panel-failed"]')).toBeNull();
    expect(view.container.querySelector('[data-testid="fragile"]')?.textContent).toBe('maps');
  });

  it('speaks to an instructor without mentioning their code', () => {
    panel.broken = true;
    view = render(<Page audience="instructor" />);
    const text = view.container.querySelector('[data-testid="panel-failed"]')?.textContent ?? '';
    expect(text).toContain('The rest of this review still works.');
    expect(text).not.toMatch(/your code/i);
  });

  it('shows the fallback again when the reloaded panel fails again, and reports each failure', () => {
    panel.broken = true;
    const onError = vi.fn();
    view = render(
      <PanelBoundary
        title="The editor"
        audience="student"
        detail="Your code is saved."
        onError={onError}
      >
        <Fragile text="editor" />
      </PanelBoundary>,
    );
    expect(view.container.textContent).toContain('The editor failed to show. Your code is saved.');
    click(byText(view.container, 'button', 'Reload this panel'));
    expect(view.container.querySelector('[data-testid="panel-failed"]')).not.toBeNull();
    expect(onError).toHaveBeenCalledTimes(2);
    panel.broken = false;
    click(byText(view.container, 'button', 'Reload this panel'));
    expect(view.container.querySelector('[data-testid="fragile"]')?.textContent).toBe('editor');
  });

  it('recovers by itself when its reset key changes', () => {
    panel.broken = true;
    view = render(
      <PanelBoundary title="The run panel" audience="student" resetKey="run-1">
        <Fragile text="run 1" />
      </PanelBoundary>,
    );
    expect(view.container.querySelector('[data-testid="panel-failed"]')).not.toBeNull();
    panel.broken = false;
    view.rerender(
      <PanelBoundary title="The run panel" audience="student" resetKey="run-2">
        <Fragile text="run 2" />
      </PanelBoundary>,
    );
    expect(view.container.querySelector('[data-testid="fragile"]')?.textContent).toBe('run 2');
  });
});

describe('page error boundary', () => {
  it('tells a student their code is saved, and an instructor nothing about code', () => {
    panel.broken = true;
    view = render(
      <PageErrorBoundary resetKey="/exercises/x" audience="student">
        <Fragile text="page" />
      </PageErrorBoundary>,
    );
    expect(view.container.textContent).toContain('Your code is saved in this browser.');
    view.unmount();
    view = render(
      <PageErrorBoundary resetKey="/instructor" audience="instructor">
        <Fragile text="page" />
      </PageErrorBoundary>,
    );
    expect(view.container.textContent).toContain('This page failed.');
    expect(view.container.textContent).not.toMatch(/your code/i);
  });
});

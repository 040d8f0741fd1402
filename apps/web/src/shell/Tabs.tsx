// The WAI-ARIA tabs pattern: one tab stop for the whole list (roving tabindex); ←/→ move the
// selection and the focus together, Home/End go to the ends.
import { useRef } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';

export interface TabDef<T extends string> {
  id: T;
  label: ReactNode;
  testId?: string;
}

export interface TabListProps<T extends string> {
  tabs: readonly TabDef<T>[];
  selected: T;
  onSelect(id: T): void;
  /** Prefix of the tabs' and panels' element ids, unique on the page. */
  idPrefix: string;
  label: string;
  className?: string;
  tabClassName(selected: boolean): string;
}

export const tabId = (prefix: string, id: string) => `${prefix}-tab-${id}`;
export const panelId = (prefix: string, id: string) => `${prefix}-tabpanel-${id}`;

export function TabList<T extends string>(props: TabListProps<T>) {
  const { tabs, selected, onSelect, idPrefix } = props;
  const buttons = useRef(new Map<T, HTMLButtonElement>());

  const onKeyDown = (event: KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === selected);
    let next: number;
    if (event.key === 'ArrowRight') next = (i + 1) % tabs.length;
    else if (event.key === 'ArrowLeft') next = (i + tabs.length - 1) % tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tabs.length - 1;
    else return;
    event.preventDefault();
    const id = tabs[next].id;
    onSelect(id);
    buttons.current.get(id)?.focus();
  };

  return (
    <div className={props.className} role="tablist" aria-label={props.label} onKeyDown={onKeyDown}>
      {tabs.map((t) => (
        <button
          key={t.id}
          ref={(el) => {
            if (el) buttons.current.set(t.id, el);
            else buttons.current.delete(t.id);
          }}
          type="button"
          role="tab"
          id={tabId(idPrefix, t.id)}
          aria-selected={t.id === selected}
          aria-controls={panelId(idPrefix, t.id)}
          tabIndex={t.id === selected ? 0 : -1}
          className={props.tabClassName(t.id === selected)}
          onClick={() => onSelect(t.id)}
          data-testid={t.testId}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

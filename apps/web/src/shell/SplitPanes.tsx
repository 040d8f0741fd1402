// Two panes side by side (or one above the other) with a divider between them that the student
// drags, or moves with the arrow keys once focused. The sizes are shares of the whole (flex-grow),
// so laying the panes out needs no measurement: the first render is plain CSS, and the panes'
// size is read only while a drag is under way.
import { useId, useRef, useState } from 'react';
import type { KeyboardEvent, PointerEvent, ReactNode } from 'react';
import { readJson, writeJson } from '../storage/local-json.ts';
import { isNumber, recordOf } from '../storage/shape.ts';

/** How far one arrow key moves the divider, in percent of the whole. */
export const KEY_STEP = 5;

export interface Pane {
  /** Names the pane in the saved layout. */
  id: string;
  /** Least share of the whole, in percent. */
  minSize: number;
  className?: string;
  children: ReactNode;
}

export interface SplitPanesProps {
  /** Names the layout in this browser's storage. */
  id: string;
  /** `horizontal`: side by side, the divider upright; `vertical`: one above the other. */
  orientation: 'horizontal' | 'vertical';
  /** The first pane's share, in percent, until the student moves the divider. */
  defaultSize: number;
  first: Pane;
  second: Pane;
  /** The divider's accessible name: what moving it resizes. */
  separatorLabel: string;
  className?: string;
  separatorClassName?: string;
}

/**
 * Where a layout is kept. The key and its value (each pane's share by its id) are the ones the
 * previous divider library used, so a layout saved with it still opens as it was left.
 */
export const layoutKey = (id: string) => `react-resizable-panels:${id}`;

export function clampShare(size: number, first: Pane, second: Pane): number {
  return Math.min(100 - second.minSize, Math.max(first.minSize, size));
}

function storedShare(props: SplitPanesProps): number {
  const saved = readJson(layoutKey(props.id), recordOf(isNumber), {});
  const size = saved[props.first.id];
  return clampShare(size ?? props.defaultSize, props.first, props.second);
}

/** Rounded as the divider reports it: a share in hundredths of a percent. */
const round = (size: number) => Math.round(size * 100) / 100;

export function SplitPanes(props: SplitPanesProps) {
  const { id, orientation, first, second } = props;
  const [size, setSize] = useState(() => storedShare(props));
  const group = useRef<HTMLDivElement>(null);
  // Set while the divider is dragged: where the drag started, the whole's length then, and the
  // share the drag has reached.
  const drag = useRef<{ from: number; size: number; length: number; now: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const firstId = useId();
  const horizontal = orientation === 'horizontal';

  const resize = (next: number, save: boolean) => {
    const clamped = round(clampShare(next, first, second));
    setSize(clamped);
    if (save) writeJson(layoutKey(id), { [first.id]: clamped, [second.id]: round(100 - clamped) });
    return clamped;
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0 || !group.current) return;
    const box = group.current.getBoundingClientRect();
    const length = horizontal ? box.width : box.height;
    if (!(length > 0)) return;
    // No text selection while dragging; the divider still takes the focus, for the arrow keys.
    event.preventDefault();
    event.currentTarget.focus();
    event.currentTarget.setPointerCapture?.(event.pointerId);
    drag.current = { from: horizontal ? event.clientX : event.clientY, size, length, now: size };
    setDragging(true);
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const start = drag.current;
    if (!start) return;
    const moved = (horizontal ? event.clientX : event.clientY) - start.from;
    start.now = resize(start.size + (moved / start.length) * 100, false);
  };
  /** The drag ends (released, or taken by the browser): where it got to is kept. */
  const onPointerEnd = () => {
    const start = drag.current;
    if (!start) return;
    drag.current = null;
    setDragging(false);
    resize(start.now, true);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const back = horizontal ? 'ArrowLeft' : 'ArrowUp';
    const forward = horizontal ? 'ArrowRight' : 'ArrowDown';
    let next: number;
    if (event.key === back) next = size - KEY_STEP;
    else if (event.key === forward) next = size + KEY_STEP;
    else if (event.key === 'Home') next = first.minSize;
    else if (event.key === 'End') next = 100 - second.minSize;
    else return;
    event.preventDefault();
    resize(next, true);
  };

  return (
    <div
      ref={group}
      className={`split-panes split-panes-${orientation} ${props.className ?? ''}`}
      data-split={id}
    >
      <div className="split-pane" style={{ flexGrow: size }} data-pane={first.id}>
        <div id={firstId} className={`split-pane-content ${first.className ?? ''}`}>
          {first.children}
        </div>
      </div>
      <div
        role="separator"
        tabIndex={0}
        aria-label={props.separatorLabel}
        // The divider's own line runs across the panes' axis.
        aria-orientation={horizontal ? 'vertical' : 'horizontal'}
        aria-controls={firstId}
        aria-valuenow={size}
        aria-valuemin={first.minSize}
        aria-valuemax={100 - second.minSize}
        className={`split-separator ${props.separatorClassName ?? ''}`}
        data-separator={dragging ? 'active' : undefined}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerEnd}
        onPointerCancel={onPointerEnd}
        onKeyDown={onKeyDown}
      />
      <div className="split-pane" style={{ flexGrow: round(100 - size) }} data-pane={second.id}>
        <div className={`split-pane-content ${second.className ?? ''}`}>{second.children}</div>
      </div>
    </div>
  );
}

import { Component, Fragment } from 'react';
import type { ReactNode } from 'react';

/** Whose page a panel is on: the words of its fallback differ. */
export type Audience = 'student' | 'instructor';

export interface PanelBoundaryProps {
  /** What the panel is, as a sentence starts: "The run panel". */
  title: string;
  audience: Audience;
  /** Replaces the fallback's second sentence, for panels that keep something else. */
  detail?: string;
  /** The panel recovers by itself when this changes (a new run, another submission). */
  resetKey?: string | number;
  /** Called when the panel fails, so the page can stop relying on it. */
  onError?(error: Error): void;
  /** Called before the panel is mounted again, to renew what it needs (a failed chunk). */
  onReload?(): void;
  children: ReactNode;
}

interface State {
  error: Error | null;
  /** Bumped on every reload, so the panel's whole subtree mounts afresh. */
  attempt: number;
}

/**
 * Keeps one panel's failure inside that panel: the rest of the page, and the student's code in
 * the editor, stay as they were, and the panel offers to mount itself again.
 */
export class PanelBoundary extends Component<PanelBoundaryProps, State> {
  state: State = { error: null, attempt: 0 };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  componentDidUpdate(previous: PanelBoundaryProps): void {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.reload();
  }

  componentDidCatch(error: Error): void {
    console.error(`${this.props.title} failed`, error);
    this.props.onError?.(error);
  }

  reload = (): void => {
    this.props.onReload?.();
    this.setState((s) => ({ error: null, attempt: s.attempt + 1 }));
  };

  render() {
    const { error, attempt } = this.state;
    if (!error) return <Fragment key={attempt}>{this.props.children}</Fragment>;
    const { title, audience, detail } = this.props;
    const rest =
      detail ??
      (audience === 'student'
        ? 'The rest of the page still works, and your code is kept.'
        : 'The rest of this review still works.');
    return <PanelFailed title={title} detail={rest} onReload={this.reload} />;
  }
}

/** What a failed panel shows: what failed, what is kept, and a button to try again. */
export function PanelFailed({
  title,
  detail,
  onReload,
}: {
  title: string;
  detail: string;
  onReload(): void;
}) {
  return (
    <div className="panel-failed" role="alert" data-testid="panel-failed">
      <p>
        {title} failed to show. {detail}
      </p>
      <button type="button" className="button" onClick={onReload}>
        Reload this panel
      </button>
    </div>
  );
}

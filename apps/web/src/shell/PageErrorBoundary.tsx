import { Component } from 'react';
import type { ReactNode } from 'react';
import type { Audience } from './PanelBoundary.tsx';

interface State {
  error: Error | null;
}

/**
 * Catches a page that failed to load or render. The usual cause is a lab updated while the page
 * was open (its old chunks are gone), which a reload fixes, so that is what it offers.
 */
export class PageErrorBoundary extends Component<
  { children: ReactNode; resetKey: string; audience: Audience },
  State
> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidUpdate(previous: { resetKey: string }): void {
    if (previous.resetKey !== this.props.resetKey && this.state.error)
      this.setState({ error: null });
  }

  componentDidCatch(error: Error): void {
    console.error('page failed', error);
  }

  render() {
    if (!this.state.error) return this.props.children;
    const chunk =
      /dynamically imported module|Importing a module script failed|Failed to fetch/i.test(
        this.state.error.message,
      );
    // Only a student's pages hold code of theirs to reassure them about.
    const kept = this.props.audience === 'student' ? ' Your code is saved in this browser.' : '';
    return (
      <div className="page-message" role="alert">
        <p>
          {chunk
            ? `This page could not load its code; the lab was probably updated. Reload to get the new version.${kept}`
            : `This page failed. Reload to try again.${kept}`}
        </p>
        <button type="button" className="button" onClick={() => location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}

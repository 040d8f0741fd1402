import { useState } from 'react';

/**
 * A join link with a button that copies it. The clipboard API exists only on secure pages
 * (https or localhost); a lab served over plain http on a LAN copies through a selection.
 */
export function CopyLink({ url }: { url: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(url);
      } else {
        const area = document.createElement('textarea');
        area.value = url;
        area.setAttribute('readonly', '');
        area.style.position = 'fixed';
        area.style.opacity = '0';
        document.body.append(area);
        area.select();
        const done = document.execCommand('copy');
        area.remove();
        if (!done) throw new Error('copy refused');
      }
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <span className="copy-link">
      <span className="join-link" data-testid="join-link">
        {url}
      </span>{' '}
      <button
        type="button"
        className="button"
        onClick={() => void copy()}
        data-testid="copy-join-link"
      >
        Copy link
      </button>{' '}
      <span role="status" className="muted small" data-testid="copy-state">
        {copied === 'yes' && 'Copied.'}
        {copied === 'failed' && 'Could not copy: select the link and copy it by hand.'}
      </span>
    </span>
  );
}

import { useState } from 'preact/hooks';

/**
 * Copies text to the clipboard. The Clipboard API needs a secure context (https, or localhost); over
 * plain http on another address the text is copied through a selected text area instead.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      copyBySelection(text);
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <button type="button" class="button small" onClick={() => void copy()} aria-label={`Copy ${label}`} title={`Copy ${label}`}>
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

function copyBySelection(text: string): void {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.append(area);
  area.select();
  // The fallback of last resort; deprecated, but the only way without the Clipboard API.
  document.execCommand('copy');
  area.remove();
}

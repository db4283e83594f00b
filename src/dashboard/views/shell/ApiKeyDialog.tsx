/** Asks for the server's API key when a request was refused for the lack of it. */
import { useEffect, useState } from 'preact/hooks';
import { onKeyPrompt, type KeyPrompt } from '../../api/api-key.js';
import { Dialog } from '../../components/Dialog.js';

export function ApiKeyDialog() {
  const [prompt, setPrompt] = useState<KeyPrompt>();
  const [key, setKey] = useState('');
  useEffect(() => onKeyPrompt(setPrompt), []);
  if (!prompt) return null;
  return (
    <Dialog title="API key" onClose={() => undefined}>
      <form
        class="dialog-body"
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim()) {
            prompt.submit(key.trim());
            setKey('');
          }
        }}
      >
        <p>
          {prompt.reason === 'invalid'
            ? 'The server refused that key. Enter the API key again.'
            : 'This server requires an API key. It is kept for this tab only (session storage) and sent as a header.'}
        </p>
        <label class="field">
          <span>API key</span>
          <input type="password" value={key} onInput={(event) => setKey(event.currentTarget.value)} autoComplete="current-password" required autoFocus />
        </label>
        <div class="dialog-actions">
          <button type="submit" class="button primary">
            Continue
          </button>
        </div>
      </form>
    </Dialog>
  );
}

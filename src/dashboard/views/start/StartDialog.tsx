/** Starting an instance: a registered orchestrator, an optional id, and JSON input checked as it is typed. */
import { useState } from 'preact/hooks';
import { startInstance } from '../../api/endpoints.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorMessage } from '../../components/States.js';
import { parseJsonInput } from '../../model/json-input.js';

export function StartDialog({ orchestrators, onClose, onStarted }: { orchestrators: string[]; onClose: () => void; onStarted: (instanceId: string) => void }) {
  const [name, setName] = useState(orchestrators[0] ?? '');
  const [instanceId, setInstanceId] = useState('');
  const [inputText, setInputText] = useState('');
  const [error, setError] = useState<Error>();
  const [running, setRunning] = useState(false);
  const input = parseJsonInput(inputText);

  const submit = async () => {
    setRunning(true);
    setError(undefined);
    try {
      onStarted(await startInstance(name, instanceId.trim() || undefined, input.ok ? input.value : undefined));
    } catch (failure) {
      setError(failure as Error);
      setRunning(false);
    }
  };

  return (
    <Dialog title="Start an instance" onClose={onClose}>
      <form
        class="dialog-body"
        onSubmit={(event) => {
          event.preventDefault();
          if (input.ok && name) void submit();
        }}
      >
        {orchestrators.length === 0 ? (
          <p>The server's app registers no orchestrator.</p>
        ) : (
          <label class="field">
            <span>Orchestrator</span>
            <select value={name} onChange={(event) => setName(event.currentTarget.value)}>
              {orchestrators.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
          </label>
        )}
        <label class="field">
          <span>Instance id (optional; a random one otherwise)</span>
          <input type="text" value={instanceId} onInput={(event) => setInstanceId(event.currentTarget.value)} autoComplete="off" spellcheck={false} />
        </label>
        <label class="field">
          <span>Input (JSON, optional)</span>
          <textarea rows={6} value={inputText} onInput={(event) => setInputText(event.currentTarget.value)} spellcheck={false} aria-invalid={!input.ok} aria-describedby="start-input-help" />
        </label>
        <p id="start-input-help" class={input.ok ? 'muted' : 'field-error'}>
          {input.ok ? (input.empty ? 'Empty: the instance starts without input.' : 'Valid JSON.') : input.message}
        </p>
        {error && <ErrorMessage error={error} />}
        <div class="dialog-actions">
          <button type="button" class="button ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={running || !input.ok || !name}>
            {running ? 'Starting…' : 'Start'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The event name and JSON data inputs of "raise event", for one instance or for all matching a filter. */
import { parseJsonInput } from '../model/json-input.js';

export function EventFields({ helpId, name, data, onName, onData }: {
  /** The id of the line under the data that says whether it parses (unique on the page). */
  helpId: string;
  name: string;
  data: string;
  onName: (name: string) => void;
  onData: (data: string) => void;
}) {
  const parsed = parseJsonInput(data);
  return (
    <>
      <label class="field">
        <span>Event name</span>
        <input type="text" required value={name} onInput={(input) => onName(input.currentTarget.value)} autoComplete="off" />
      </label>
      <label class="field">
        <span>Event data (JSON, optional)</span>
        <textarea
          rows={4}
          value={data}
          onInput={(input) => onData(input.currentTarget.value)}
          spellcheck={false}
          aria-invalid={!parsed.ok}
          aria-describedby={helpId}
        />
      </label>
      <p id={helpId} class={parsed.ok ? 'muted' : 'field-error'}>
        {parsed.ok ? (parsed.empty ? 'Empty: the event carries no data.' : 'Valid JSON.') : parsed.message}
      </p>
    </>
  );
}

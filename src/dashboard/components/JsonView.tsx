/**
 * A JSON value as a tree: objects and arrays fold (native <details>, so keyboard and screen readers know
 * them), long strings wrap, and the whole value can be copied.
 */
import { CopyButton } from './CopyButton.js';

const OPEN_DEPTH = 2;
const MAX_CHILDREN = 500;

export function JsonPanel({ title, value, emptyText = 'none' }: { title: string; value: unknown; emptyText?: string }) {
  const empty = value === null || value === undefined;
  return (
    <section class="panel json-panel" aria-label={title}>
      <header class="panel-header">
        <h3>{title}</h3>
        {!empty && <CopyButton text={JSON.stringify(value, null, 2)} label={title.toLowerCase()} />}
      </header>
      {empty ? <p class="muted">{emptyText}</p> : <div class="json-tree"><JsonNode value={value} depth={0} /></div>}
    </section>
  );
}

export function JsonNode({ value, depth, name }: { value: unknown; depth: number; name?: string }) {
  const key = name === undefined ? null : <span class="json-key">{name}: </span>;
  if (value === null || typeof value !== 'object') {
    return (
      <div class="json-leaf">
        {key}
        <Scalar value={value} />
      </div>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value) ? (value as unknown[]).map((item, index) => [String(index), item]) : Object.entries(value);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    return (
      <div class="json-leaf">
        {key}
        <span class="json-punct">{open + close}</span>
      </div>
    );
  }
  const shown = entries.slice(0, MAX_CHILDREN);
  return (
    <details class="json-node" open={depth < OPEN_DEPTH}>
      <summary>
        {key}
        <span class="json-punct">{open}</span>
        <span class="json-count">{Array.isArray(value) ? `${entries.length} items` : `${entries.length} keys`}</span>
      </summary>
      <div class="json-children">
        {shown.map(([childName, child]) => (
          <JsonNode key={childName} name={childName} value={child} depth={depth + 1} />
        ))}
        {entries.length > shown.length && <div class="muted">… {entries.length - shown.length} more (copy the value to see all)</div>}
      </div>
      <span class="json-punct">{close}</span>
    </details>
  );
}

function Scalar({ value }: { value: unknown }) {
  if (typeof value === 'string') return <span class="json-string">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span class="json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span class="json-boolean">{String(value)}</span>;
  return <span class="json-null">null</span>;
}

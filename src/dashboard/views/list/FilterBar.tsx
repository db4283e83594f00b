/** The list's filter: statuses (with their counts), creation time, orchestrator name, id prefix and tags. */
import { useEffect, useState } from 'preact/hooks';
import type { StatusCounts } from '../../api/types.js';
import { TIME_RANGES, isFiltered, type ListFilter, type TimeRange } from '../../model/filter.js';
import { fromLocalInput, toLocalInput } from '../../model/format.js';
import { RUNTIME_STATUSES, type RuntimeStatus } from '../../model/statuses.js';
import { useDebounced } from '../../hooks.js';

export interface FilterBarProps {
  filter: ListFilter;
  onChange: (filter: ListFilter) => void;
  /** Per status for the filter's other parts, so each chip says what choosing it adds. */
  counts: StatusCounts | undefined;
  orchestrators: string[];
}

export function FilterBar({ filter, onChange, counts, orchestrators }: FilterBarProps) {
  const toggle = (status: RuntimeStatus) => {
    const statuses = filter.statuses.includes(status) ? filter.statuses.filter((s) => s !== status) : [...filter.statuses, status];
    onChange({ ...filter, statuses: RUNTIME_STATUSES.filter((s) => statuses.includes(s)) });
  };
  return (
    <section class="filters" aria-label="Filter instances">
      <div class="status-chips" role="group" aria-label="Runtime status">
        {RUNTIME_STATUSES.map((status) => (
          <button
            key={status}
            type="button"
            class={`chip status-${status}`}
            aria-pressed={filter.statuses.includes(status)}
            onClick={() => toggle(status)}
          >
            <span class="chip-name">{status}</span>
            <span class="chip-count">{counts ? counts[status].toLocaleString() : '…'}</span>
          </button>
        ))}
      </div>
      <div class="filter-fields">
        <label class="field">
          <span>Created</span>
          <select
            aria-label="Created"
            value={filter.range}
            onChange={(event) => {
              const range = event.currentTarget.value as TimeRange;
              onChange(range === 'custom' ? { ...filter, range, from: filter.from ?? new Date(Date.now() - 3_600_000).toISOString() } : { ...filter, range, from: undefined, to: undefined });
            }}
          >
            {TIME_RANGES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        {filter.range === 'custom' && (
          <>
            <label class="field">
              <span>From</span>
              <input type="datetime-local" aria-label="From" value={toLocalInput(filter.from)} onChange={(event) => onChange({ ...filter, from: fromLocalInput(event.currentTarget.value) })} />
            </label>
            <label class="field">
              <span>To</span>
              <input type="datetime-local" aria-label="To" value={toLocalInput(filter.to)} onChange={(event) => onChange({ ...filter, to: fromLocalInput(event.currentTarget.value) })} />
            </label>
          </>
        )}
        <TextFilter label="Orchestrator" value={filter.name} onChange={(name) => onChange({ ...filter, name })} options={orchestrators} placeholder="any" />
        <TextFilter label="Instance id starts with" value={filter.idPrefix} onChange={(idPrefix) => onChange({ ...filter, idPrefix })} placeholder="prefix" />
        <TextFilter label="Tags" value={filter.tags} onChange={(tags) => onChange({ ...filter, tags })} placeholder="key:value …" />
        {isFiltered(filter) && (
          <button type="button" class="button ghost clear-filters" onClick={() => onChange({ ...filter, statuses: [], range: 'any', from: undefined, to: undefined, name: '', idPrefix: '', tags: '' })}>
            Clear filters
          </button>
        )}
      </div>
    </section>
  );
}

/** A text filter that updates the URL once typing pauses. */
function TextFilter({ label, value, onChange, options, placeholder }: { label: string; value: string; onChange: (value: string) => void; options?: string[]; placeholder: string }) {
  const [text, setText] = useState(value);
  const settled = useDebounced(text, 350);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (settled !== value) onChange(settled.trim());
    // Only a settled edit of the text should filter; a change from outside (the URL) resets the text above.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settled]);
  const listId = options ? `${label.replace(/\W+/g, '-').toLowerCase()}-options` : undefined;
  return (
    <label class="field">
      <span>{label}</span>
      <input type="search" aria-label={label} value={text} placeholder={placeholder} list={listId} onInput={(event) => setText(event.currentTarget.value)} autoComplete="off" spellcheck={false} />
      {options && (
        <datalist id={listId}>
          {options.map((option) => (
            <option key={option} value={option} />
          ))}
        </datalist>
      )}
    </label>
  );
}

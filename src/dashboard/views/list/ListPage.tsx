/**
 * The home page: every instance of the hub, newest first unless the URL says otherwise, filtered by the
 * URL's query string, a page at a time
 * (continuation tokens: nothing loads the whole hub), with counts per status, the creation histogram and
 * bulk actions (on a selection, or as a batch job on everything matching); it re-reads itself on live changes.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { countInstances, histogram, listInstances } from '../../api/endpoints.js';
import { Empty, ErrorMessage, Loading } from '../../components/States.js';
import { useLiveChanges, useResource } from '../../hooks.js';
import { LIST_ORDERS, PAGE_SIZES, apiQuery, filterFromSearch, isFiltered, searchFromFilter, type ListFilter } from '../../model/filter.js';
import { listHref, navigate } from '../../router.js';
import { BatchByFilterDialog } from './BatchByFilter.js';
import { BulkBar } from './BulkActions.js';
import { FilterBar } from './FilterBar.js';
import { Histogram } from './Histogram.js';
import { InstanceTable } from './InstanceTable.js';
import { PurgeByFilterDialog } from './PurgeByFilter.js';

const HISTOGRAM_INTERVALS = 60;

export function ListPage({ search, hub, orchestrators }: { search: URLSearchParams; hub: string | undefined; orchestrators: string[] }) {
  const filter = useMemo(() => filterFromSearch(search), [search]);
  const filterKey = searchFromFilter(filter).toString();
  const withoutStatuses = searchFromFilter({ ...filter, statuses: [] }).toString();
  const setFilter = (next: ListFilter) => navigate(listHref(searchFromFilter(next, search)), { replace: true });

  // Tokens of the pages seen so far, for Previous; the first page has none.
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [purging, setPurging] = useState(false);
  const [batching, setBatching] = useState(false);
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    setTokens([undefined]);
    setSelected(new Set());
  }, [filterKey, hub]);
  const token = tokens[tokens.length - 1];

  const page = useResource(
    (signal) => listInstances(apiQuery(filter, Date.now()), { size: filter.pageSize, order: filter.order }, token, signal),
    [filterKey, hub, token],
  );
  const counts = useResource((signal) => countInstances(apiQuery(filter, Date.now(), []), signal), [withoutStatuses, hub]);
  const chart = useResource((signal) => histogram(apiQuery(filter, Date.now()), HISTOGRAM_INTERVALS, signal), [filterKey, hub]);
  useLiveChanges(() => {
    setNow(Date.now());
    page.reload();
    counts.reload();
    chart.reload();
  });

  const matching = counts.data ? (filter.statuses.length ? filter.statuses : Object.keys(counts.data)).reduce((sum, status) => sum + (counts.data as Record<string, number>)[status]!, 0) : undefined;
  const select = (ids: string[], on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  const refresh = () => {
    setSelected(new Set());
    page.reload();
    counts.reload();
    chart.reload();
  };

  return (
    <div class="list-page">
      <h1 class="visually-hidden">Instances</h1>
      <FilterBar filter={filter} onChange={setFilter} counts={counts.data} orchestrators={orchestrators} />
      {counts.error && <ErrorMessage error={counts.error} retry={counts.reload} />}
      <section class="panel chart-panel" aria-label="Instances created over time">
        {chart.error ? (
          <ErrorMessage error={chart.error} retry={chart.reload} />
        ) : chart.data ? (
          chart.data.intervals.length ? (
            <Histogram data={chart.data} onSelect={(from, to) => setFilter({ ...filter, range: 'custom', from, to })} />
          ) : (
            <p class="muted">No instance was created in this range.</p>
          )
        ) : (
          <Loading what="the chart" />
        )}
      </section>

      <div class="toolbar">
        <p class="match-count" aria-live="polite">
          {matching === undefined ? '…' : `${matching.toLocaleString()} instance${matching === 1 ? '' : 's'}`}
          {isFiltered(filter) ? ' match the filter' : ' in this task hub'}
        </p>
        <label class="field inline">
          <span>Order</span>
          <select aria-label="Order" value={filter.order} onChange={(event) => setFilter({ ...filter, order: event.currentTarget.value === 'oldest' ? 'oldest' : 'newest' })}>
            {LIST_ORDERS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label class="field inline">
          <span>Per page</span>
          <select aria-label="Per page" value={filter.pageSize} onChange={(event) => setFilter({ ...filter, pageSize: Number(event.currentTarget.value) })}>
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="button" onClick={() => setBatching(true)}>
          Apply to all matching…
        </button>
        <button type="button" class="button danger-outline" onClick={() => setPurging(true)}>
          Purge finished…
        </button>
      </div>
      {batching && <BatchByFilterDialog filter={filter} hub={hub} onClose={() => setBatching(false)} />}
      {purging && (
        <PurgeByFilterDialog
          filter={filter}
          onClose={(changed) => {
            setPurging(false);
            if (changed) refresh();
          }}
        />
      )}
      {selected.size > 0 && <BulkBar selected={[...selected]} onClear={() => setSelected(new Set())} onDone={refresh} />}

      <section class="panel table-panel" aria-label="Instance list" aria-busy={page.loading}>
        {page.error ? (
          <ErrorMessage error={page.error} retry={page.reload} />
        ) : page.loading && !page.data ? (
          <Loading what="instances" />
        ) : page.data && page.data.instances.length === 0 ? (
          <Empty>
            {isFiltered(filter) ? <p>No instance matches the filter.</p> : <p>This task hub has no instances yet. Start one with “Start instance”.</p>}
          </Empty>
        ) : (
          page.data && <InstanceTable instances={page.data.instances} hub={hub} selected={selected} onSelect={select} now={now} />
        )}
      </section>
      <nav class="pager" aria-label="Pages">
        <button type="button" class="button" disabled={tokens.length <= 1} onClick={() => setTokens(tokens.slice(0, -1))}>
          ‹ Previous
        </button>
        <span>Page {tokens.length}</span>
        <button
          type="button"
          class="button"
          disabled={!page.data?.continuationToken}
          onClick={() => page.data?.continuationToken && setTokens([...tokens, page.data.continuationToken])}
        >
          Next ›
        </button>
      </nav>
    </div>
  );
}

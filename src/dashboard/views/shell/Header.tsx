/** The bar on every page: links to the pages, the hub switcher, the live switch, starting an instance, and the key. */
import { useEffect, useState } from 'preact/hooks';
import { forgetKey, storedKey } from '../../api/api-key.js';
import { changeFeed, type LiveMode } from '../../api/changes.js';
import type { TaskHubs } from '../../api/types.js';
import { Link } from '../../components/Link.js';
import { batchesHref, listHref, navigate } from '../../router.js';

const MODE_LABELS: Record<LiveMode, string> = {
  connecting: 'connecting…',
  live: 'live',
  polling: 'polling',
  paused: 'paused',
};

export function Header({ hub, hubs, onStart }: { hub: string | undefined; hubs: TaskHubs | undefined; onStart: () => void }) {
  const [mode, setMode] = useState<LiveMode>('paused');
  useEffect(() => changeFeed.onMode(setMode), []);
  const current = hub ?? hubs?.defaultTaskHub ?? '';
  const options = hubs ? [...new Set([...hubs.taskHubs, current])].filter(Boolean).sort() : [current];
  const paused = mode === 'paused';
  return (
    <header class="app-header">
      <Link href={listHref(new URLSearchParams(hub ? { taskHub: hub } : {}))} class="brand">
        taskhub
      </Link>
      <nav class="app-nav" aria-label="Pages">
        <Link href={listHref(new URLSearchParams(hub ? { taskHub: hub } : {}))}>Instances</Link>
        <Link href={batchesHref(hub)}>Batch jobs</Link>
      </nav>
      <label class="field inline hub-switcher">
        <span>Task hub</span>
        <select
          value={current}
          onChange={(event) => {
            const next = event.currentTarget.value;
            navigate(listHref(new URLSearchParams(next === hubs?.defaultTaskHub ? {} : { taskHub: next })));
          }}
        >
          {options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      </label>
      <div class="header-actions">
        <button
          type="button"
          class={`button live-switch live-${mode}`}
          aria-pressed={!paused}
          title="Live updates from the server's change stream (polling when it is unavailable)"
          onClick={() => changeFeed.setPaused(!changeFeed.isPaused)}
        >
          <span class="live-dot" aria-hidden="true" />
          Live: {MODE_LABELS[mode]}
        </button>
        <button type="button" class="button primary" onClick={onStart}>
          Start instance
        </button>
        {storedKey() !== null && (
          <button
            type="button"
            class="button ghost"
            onClick={() => {
              forgetKey();
              window.location.reload();
            }}
          >
            Forget key
          </button>
        )}
      </div>
    </header>
  );
}

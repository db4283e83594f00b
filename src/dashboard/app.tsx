/** The page: header, the current route's view, and the dialogs every view may need. */
import { useEffect, useState } from 'preact/hooks';
import { changeFeed } from './api/changes.js';
import { orchestratorNames, taskHubs } from './api/endpoints.js';
import { setTaskHub } from './api/http.js';
import { Link } from './components/Link.js';
import { Notices } from './components/Notices.js';
import { useResource } from './hooks.js';
import { hubOf, instanceHref, navigate, useLocation } from './router.js';
import { BatchesPage } from './views/batches/BatchesPage.js';
import { InstancePage } from './views/instance/InstancePage.js';
import { ListPage } from './views/list/ListPage.js';
import { ApiKeyDialog } from './views/shell/ApiKeyDialog.js';
import { Header } from './views/shell/Header.js';
import { StartDialog } from './views/start/StartDialog.js';

export function App() {
  const { route, search } = useLocation();
  const hub = hubOf(search);
  // Before any view below asks the API: every request names the page's hub.
  setTaskHub(hub);
  useEffect(() => changeFeed.restart(), [hub]);
  const hubs = useResource((signal) => taskHubs(signal), [hub]);
  const orchestrators = useResource((signal) => orchestratorNames(signal), []);
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    document.title = route.page === 'instance' ? `${route.instanceId} · taskhub` : route.page === 'batches' ? 'Batch jobs · taskhub' : 'Instances · taskhub';
  }, [route]);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header hub={hub} hubs={hubs.data} onStart={() => setStarting(true)} />
      <main id="main" tabIndex={-1}>
        {route.page === 'list' ? (
          <ListPage search={search} hub={hub} orchestrators={orchestrators.data ?? []} />
        ) : route.page === 'batches' ? (
          <BatchesPage search={search} hub={hub} />
        ) : route.page === 'instance' ? (
          <InstancePage key={route.instanceId} instanceId={route.instanceId} hub={hub} />
        ) : (
          <div class="state empty">
            <p>There is no such page.</p>
            <Link href="/">Go to the instances</Link>
          </div>
        )}
      </main>
      {starting && (
        <StartDialog
          orchestrators={orchestrators.data ?? []}
          onClose={() => setStarting(false)}
          onStarted={(instanceId) => {
            setStarting(false);
            navigate(instanceHref(instanceId, hub));
          }}
        />
      )}
      <ApiKeyDialog />
      <Notices />
    </>
  );
}

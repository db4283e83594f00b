/**
 * The dashboard's pages and their URLs: `/` (the instance list, its filter in the query string),
 * `/instances/{id}` and `/batches` (batch jobs, `job` in the query string picks one); `taskHub` in the
 * query string picks the hub on all. Navigation uses the History
 * API, so the back button, bookmarks and shared links all work.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route = { page: 'list' } | { page: 'instance'; instanceId: string } | { page: 'batches' } | { page: 'unknown' };

export interface Location {
  route: Route;
  search: URLSearchParams;
}

const listeners = new Set<() => void>();

function current(): Location {
  return { route: routeOf(window.location.pathname), search: new URLSearchParams(window.location.search) };
}

export function routeOf(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { page: 'list' };
  if (pathname === '/batches' || pathname === '/batches/') return { page: 'batches' };
  const match = /^\/instances\/([^/]+)\/?$/.exec(pathname);
  if (match?.[1]) {
    try {
      return { page: 'instance', instanceId: decodeURIComponent(match[1]) };
    } catch {
      return { page: 'unknown' };
    }
  }
  return { page: 'unknown' };
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return location;
}

/** Goes to `href` (same origin); `replace` rewrites the current history entry instead of adding one. */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  for (const listener of listeners) listener();
}

/** The hub of the current page, carried into every link. */
export function hubOf(search: URLSearchParams): string | undefined {
  return search.get('taskHub') || undefined;
}

export function instanceHref(instanceId: string, hub: string | undefined): string {
  const search = hub ? `?${new URLSearchParams({ taskHub: hub }).toString()}` : '';
  return `/instances/${encodeURIComponent(instanceId)}${search}`;
}

/** The batch jobs page, showing job `jobId` when given. */
export function batchesHref(hub: string | undefined, jobId?: string): string {
  const search = new URLSearchParams();
  if (hub) search.set('taskHub', hub);
  if (jobId) search.set('job', jobId);
  const text = search.toString();
  return `/batches${text ? `?${text}` : ''}`;
}

export function listHref(search: URLSearchParams): string {
  const text = search.toString();
  return text ? `/?${text}` : '/';
}

/** For an <a href> that should navigate in the page: plain left clicks only, so new tabs still work. */
export function followLink(event: MouseEvent, href: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(href);
  window.scrollTo(0, 0);
}

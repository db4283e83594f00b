/** Data loading for views: a request per change of its inputs, re-run on live changes, stale answers dropped. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { changeFeed, type Change } from './api/changes.js';

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  /** True until the first answer for the current inputs; a re-read keeps showing the last data. */
  loading: boolean;
  reload: () => void;
}

/** `load` runs again when a key changes (the previous request is aborted) and on reload(). */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, keys: readonly unknown[]): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const keyText = JSON.stringify(keys);
  const lastKey = useRef(keyText);

  useEffect(() => {
    const controller = new AbortController();
    if (lastKey.current !== keyText) {
      lastKey.current = keyText;
      setState({ loading: true });
    }
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState((previous) => ({ data: previous.data, error: error as Error, loading: false }));
      },
    );
    return () => controller.abort();
  }, [keyText, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Calls `onChange` on every live change (stream event or poll), at most once a second. */
export function useLiveChanges(onChange: (change: Change) => void): void {
  const callback = useRef(onChange);
  callback.current = onChange;
  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let finished: string[] = [];
    const unsubscribe = changeFeed.subscribe((change) => {
      finished.push(...change.finished);
      const fire = () => {
        last = Date.now();
        timer = undefined;
        const batch = { finished };
        finished = [];
        callback.current(batch);
      };
      const wait = 1000 - (Date.now() - last);
      if (wait <= 0) fire();
      else timer ??= setTimeout(fire, wait);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, []);
}

/** The value, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

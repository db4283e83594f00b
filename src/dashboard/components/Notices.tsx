/** Short confirmations ("Event sent"), announced to screen readers and gone after a few seconds. */
import { useEffect, useState } from 'preact/hooks';

interface Notice {
  id: number;
  text: string;
}

const listeners = new Set<(notice: Notice) => void>();
let nextId = 1;

export function notify(text: string): void {
  const notice = { id: nextId++, text };
  for (const listener of listeners) listener(notice);
}

export function Notices() {
  const [notices, setNotices] = useState<Notice[]>([]);
  useEffect(() => {
    const listener = (notice: Notice) => {
      setNotices((shown) => [...shown, notice]);
      setTimeout(() => setNotices((shown) => shown.filter((item) => item.id !== notice.id)), 5000);
    };
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return (
    <div class="notices" role="status" aria-live="polite">
      {notices.map((notice) => (
        <p key={notice.id} class="notice">
          {notice.text}
        </p>
      ))}
    </div>
  );
}

import type { ComponentChildren } from 'preact';
import { followLink } from '../router.js';

/** A link that navigates inside the page (a new tab or window still works as usual). */
export function Link({ href, children, class: className, label }: { href: string; children: ComponentChildren; class?: string; label?: string }) {
  return (
    <a href={href} class={className} aria-label={label} onClick={(event) => followLink(event, href)}>
      {children}
    </a>
  );
}

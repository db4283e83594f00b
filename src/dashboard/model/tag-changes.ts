/** What a TagsChanged event did (an orchestration's setTag / removeTag in one step), as one line of text. */

/** "paid=yes, tier=gold". */
export function formatTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

/** "set paid=yes, tier=gold · removed stage"; empty when the event changed nothing. */
export function describeTagChanges(set: Record<string, string> | undefined, remove: readonly string[] | undefined): string {
  const parts: string[] = [];
  if (set && Object.keys(set).length > 0) parts.push(`set ${formatTags(set)}`);
  if (remove && remove.length > 0) parts.push(`removed ${remove.join(', ')}`);
  return parts.join(' · ');
}

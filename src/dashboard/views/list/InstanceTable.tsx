/** One page of instances; on a phone each row becomes a card with labelled fields. */
import type { InstanceStatus } from '../../api/types.js';
import { Link } from '../../components/Link.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { Time } from '../../components/Time.js';
import { formatDuration, previewJson } from '../../model/format.js';
import { isFinished } from '../../model/statuses.js';
import { instanceHref } from '../../router.js';

export interface InstanceTableProps {
  instances: InstanceStatus[];
  hub: string | undefined;
  selected: ReadonlySet<string>;
  onSelect: (instanceIds: string[], selected: boolean) => void;
  now: number;
}

export function InstanceTable({ instances, hub, selected, onSelect, now }: InstanceTableProps) {
  const allSelected = instances.length > 0 && instances.every((instance) => selected.has(instance.instanceId));
  return (
    <table class="instances">
      <caption class="visually-hidden">Instances</caption>
      <thead>
        <tr>
          <th scope="col" class="select">
            <input
              type="checkbox"
              aria-label="Select every instance on this page"
              checked={allSelected}
              onChange={(event) => onSelect(instances.map((instance) => instance.instanceId), event.currentTarget.checked)}
            />
          </th>
          <th scope="col">Instance id</th>
          <th scope="col">Orchestrator</th>
          <th scope="col">Status</th>
          <th scope="col">Created</th>
          <th scope="col">Last updated</th>
          <th scope="col">Duration</th>
          <th scope="col">Custom status</th>
          <th scope="col">Tags</th>
        </tr>
      </thead>
      <tbody>
        {instances.map((instance) => {
          const end = isFinished(instance.runtimeStatus) ? Date.parse(instance.lastUpdatedTime) : now;
          const custom = previewJson(instance.customStatus);
          return (
            <tr key={instance.instanceId} class={selected.has(instance.instanceId) ? 'selected' : undefined}>
              <td class="select">
                <input
                  type="checkbox"
                  aria-label={`Select ${instance.instanceId}`}
                  checked={selected.has(instance.instanceId)}
                  onChange={(event) => onSelect([instance.instanceId], event.currentTarget.checked)}
                />
              </td>
              <td data-label="Instance id" class="instance-id">
                <Link href={instanceHref(instance.instanceId, hub)}>{instance.instanceId}</Link>
              </td>
              <td data-label="Orchestrator">{instance.name}</td>
              <td data-label="Status">
                <StatusBadge status={instance.runtimeStatus} />
              </td>
              <td data-label="Created">
                <Time iso={instance.createdTime} />
              </td>
              <td data-label="Last updated">
                <Time iso={instance.lastUpdatedTime} />
              </td>
              <td data-label="Duration">{formatDuration(end - Date.parse(instance.createdTime))}</td>
              <td data-label="Custom status" class="custom-status" title={custom}>
                {custom || <span class="muted">–</span>}
              </td>
              <td data-label="Tags" class="tags">
                {Object.keys(instance.tags).length ? Object.entries(instance.tags).map(([key, value]) => <span key={key} class="tag">{`${key}:${value}`}</span>) : <span class="muted">–</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

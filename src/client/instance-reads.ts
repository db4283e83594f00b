/**
 * Reads of instance rows for waits, gathered into one Backend.getInstances query per turn of the event
 * loop: 10,000 waits started together, or the waits that one group commit's "finished" signals woke, read
 * their statuses in a few queries instead of one round trip each. While a query is out, new reads gather
 * for the next one, so under load a batch grows rather than the number of queries.
 */
import type { Backend, InstanceRecord } from '../backend/backend.js';

/** Ids per query: keeps one query's parameter and answer to a few hundred kB. */
const MAX_IDS_PER_QUERY = 1000;

interface PendingRead {
  resolve: (record: InstanceRecord | undefined) => void;
  reject: (error: unknown) => void;
}

type Batch = Map<string, PendingRead[]>;

export class InstanceReads {
  /** Reads asked for and not yet sent, with the input and without. */
  private withInput: Batch = new Map();
  private withoutInput: Batch = new Map();
  private scheduled = false;
  private queriesOut = 0;

  constructor(
    private readonly backend: Backend,
    private readonly hub: string,
  ) {}

  /** The instance's row as the store has it when the batch is read; undefined when there is none. */
  read(instanceId: string, includeInput: boolean): Promise<InstanceRecord | undefined> {
    return new Promise((resolve, reject) => {
      const batch = includeInput ? this.withInput : this.withoutInput;
      let reads = batch.get(instanceId);
      if (reads === undefined) {
        reads = [];
        batch.set(instanceId, reads);
      }
      reads.push({ resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queriesOut > 0) return;
    this.scheduled = true;
    // setImmediate, not a microtask: the reads of every waiter that this turn's I/O woke join the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.send(this.withInput, true);
      this.send(this.withoutInput, false);
      this.withInput = new Map();
      this.withoutInput = new Map();
    });
  }

  private send(batch: Batch, includeInput: boolean): void {
    if (batch.size === 0) return;
    const ids = [...batch.keys()];
    for (let from = 0; from < ids.length; from += MAX_IDS_PER_QUERY) {
      const chunk = ids.slice(from, from + MAX_IDS_PER_QUERY);
      this.queriesOut++;
      this.backend
        .getInstances(this.hub, chunk, { includeInput })
        .then(
          (records) => {
            const byId = new Map<string, InstanceRecord>();
            for (const record of records) byId.set(record.instanceId, record);
            for (const id of chunk) for (const read of batch.get(id)!) read.resolve(byId.get(id));
          },
          (error: unknown) => {
            for (const id of chunk) for (const read of batch.get(id)!) read.reject(error);
          },
        )
        .finally(() => {
          this.queriesOut--;
          if (this.queriesOut === 0 && (this.withInput.size > 0 || this.withoutInput.size > 0)) this.schedule();
        });
    }
  }
}

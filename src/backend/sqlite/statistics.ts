/**
 * The query planner's statistics (sqlite_stat1). SQLite gathers none by itself, and without them it
 * guesses: at 1,000,000 instances a tag filter walked the instances in creation order, testing each, to
 * find a page of the thousand with the tag (81 ms), where with statistics it reads those by id (0.2 ms).
 * So the store runs a bounded ANALYZE (analysis_limit: a few hundred rows per index, so its cost does not
 * grow with the store) each time the instances created through this connection reach as many as the store
 * held at the last one, and at least MINIMUM_INSTANCES: a growing store is analyzed log2 of its size times.
 */
import type Database from 'better-sqlite3';

const MINIMUM_INSTANCES = 10_000;
const ROWS_PER_INDEX = 400;

export class PlannerStatistics {
  private createdSince = 0;
  private dueAfter: number;
  private analyzing = false;

  constructor(private readonly db: Database.Database) {
    const instances = this.instanceEstimate();
    const analyzed = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").get() !== undefined;
    // A store that grew before statistics were kept is analyzed at its first creation.
    this.dueAfter = analyzed || instances < MINIMUM_INSTANCES ? Math.max(MINIMUM_INSTANCES, instances) : 1;
  }

  /** Counts a created instance and, when the statistics are due, has `write` run ANALYZE, one at a time. */
  created(write: (work: () => void) => Promise<void>): void {
    this.createdSince += 1;
    if (this.analyzing || this.createdSince < this.dueAfter) return;
    this.analyzing = true;
    // ANALYZE changes no data: a failure (the store closing) leaves the old statistics, and the next
    // creation tries again.
    void write(() => this.analyze())
      .catch(() => undefined)
      .finally(() => {
        this.analyzing = false;
      });
  }

  private analyze(): void {
    this.db.pragma(`analysis_limit = ${ROWS_PER_INDEX}`);
    this.db.exec('ANALYZE');
    this.createdSince = 0;
    this.dueAfter = Math.max(MINIMUM_INSTANCES, this.instanceEstimate());
  }

  /** The highest row sequence: as many as were ever created, read from the end of the primary key. */
  private instanceEstimate(): number {
    return (this.db.prepare('SELECT coalesce(max(row_seq), 0) AS n FROM instances').get() as { n: number }).n;
  }
}

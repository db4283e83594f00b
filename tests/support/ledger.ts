/** The activity ledger that worker processes write (TASKHUB_TEST_LEDGER): `start|done <key> <attempt>` lines. */
import { readFileSync } from 'node:fs';

/** The ledger's lines; none before the first activity wrote one. */
export function readLedger(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

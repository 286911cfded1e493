// What a ledger entry is owed, computed exactly as the program does (LedgerEntry::owed_at and
// tributary_math::accrue_limbs): revenue per weight is kept in 2⁻⁶⁴ base units, so
// owed = owed + ⌊(weight × (acc − snapshot) + frac) / 2⁶⁴⌋, every step checked against u64.
import type { LedgerEntry, LedgerPage, Pool } from './generated';
import { ENTRIES_PER_PAGE } from './pda';
import { u128Of } from './pool';

const U64_MAX = (1n << 64n) - 1n;

export class OwedOverflowError extends Error {
  constructor() {
    super('owed amount overflows u64 (the program would refuse with MathOverflow)');
  }
}

/** The entry's settlement snapshot as one 128-bit value (stored as little-endian halves). */
export const snapshotOf = (entry: Pick<LedgerEntry, 'snapshot'>): bigint => u128Of(entry.snapshot);

/** What settling the entry at accumulator `acc` would make owed (before any cranker reward). */
export function owedAt(entry: Pick<LedgerEntry, 'snapshot' | 'weight' | 'frac' | 'owed'>, acc: bigint): bigint {
  const delta = acc - snapshotOf(entry);
  if (delta < 0n) throw new OwedOverflowError();
  if (delta === 0n || entry.weight === 0n) return entry.owed;
  const product = entry.weight * delta + entry.frac;
  const amount = product >> 64n;
  if (amount > U64_MAX) throw new OwedOverflowError();
  const owed = entry.owed + amount;
  if (owed > U64_MAX) throw new OwedOverflowError();
  return owed;
}

/** Owed right now on `pool`. */
export const owedNow = (entry: LedgerEntry, pool: Pick<Pool, 'accPerWeight'>): bigint =>
  owedAt(entry, u128Of(pool.accPerWeight));

/** Ledger entry status values (state::ledger::entry_status). */
export const EntryStatus = { Empty: 0, Active: 1, Retired: 2, Closed: 3 } as const;

/**
 * The entry of a page by its global index, if the page holds it and it was ever registered.
 * Found by its status, never by `page.liveEntries`: it counts the page's live entries, so after a
 * contribution closes it is smaller than the number of slots in use.
 */
export function entryOfPage(page: LedgerPage, entry: number): LedgerEntry | undefined {
  const slot = entry - page.page * ENTRIES_PER_PAGE;
  const found = slot >= 0 && slot < ENTRIES_PER_PAGE ? page.entries[slot] : undefined;
  return found && found.status !== EntryStatus.Empty ? found : undefined;
}

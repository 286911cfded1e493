// One read model of a pool, the TypeScript twin of tributary_sdk::view::PoolView: the pool, its
// ledger pages, every registered entry (found by status, never by `LedgerPage.liveEntries`) and what each
// is owed by the program's own math (owed.ts).
import type { Address, GetAccountInfoApi, GetMultipleAccountsApi, Rpc } from '@solana/kit';
import { fetchAllMaybeLedgerPage, fetchPool, findLedgerPagePda, type LedgerEntry, type LedgerPage, type Pool } from './generated';
import { EntryStatus, owedNow } from './owed';
import { ENTRIES_PER_PAGE } from './pda';

/** A registered entry: its global index, its ledger state and what it is owed now. */
export type PoolEntry = { index: number; entry: LedgerEntry; owed: bigint };

/** Most accounts one `getMultipleAccounts` request returns. */
const ACCOUNTS_PER_REQUEST = 100;

export class PoolView {
  /** `pages[i]` is page `i` (undefined where there is no account). */
  constructor(
    readonly address: Address,
    readonly pool: Pool,
    readonly pages: readonly (LedgerPage | undefined)[],
  ) {}

  /** Read a pool and all its pages (one request for the pool, one per 100 pages). */
  static async fetch(rpc: Rpc<GetAccountInfoApi & GetMultipleAccountsApi>, address: Address): Promise<PoolView> {
    const pool = (await fetchPool(rpc, address)).data;
    const keys = await Promise.all(
      Array.from({ length: pool.ledgerPages }, (_, page) => findLedgerPagePda({ pool: address, page }).then(([key]) => key)),
    );
    const pages: (LedgerPage | undefined)[] = [];
    for (let i = 0; i < keys.length; i += ACCOUNTS_PER_REQUEST) {
      const chunk = await fetchAllMaybeLedgerPage(rpc, keys.slice(i, i + ACCOUNTS_PER_REQUEST));
      pages.push(...chunk.map((account) => (account.exists ? account.data : undefined)));
    }
    return new PoolView(address, pool, pages);
  }

  /** Every registered entry (any status but Empty), in index order. */
  entries(): PoolEntry[] {
    const out: PoolEntry[] = [];
    this.pages.forEach((page, p) => {
      page?.entries.forEach((entry, slot) => {
        if (entry.status !== EntryStatus.Empty) {
          out.push({ index: p * ENTRIES_PER_PAGE + slot, entry, owed: owedNow(entry, this.pool) });
        }
      });
    });
    return out;
  }

  /** The registered entries with `status` (an `EntryStatus` value). */
  entriesWith(status: number): PoolEntry[] {
    return this.entries().filter((e) => e.entry.status === status);
  }

  /** The entry at global index `index`, if registered and its page was read. */
  entry(index: number): LedgerEntry | undefined {
    const found = this.pages[Math.floor(index / ENTRIES_PER_PAGE)]?.entries[index % ENTRIES_PER_PAGE];
    return found && found.status !== EntryStatus.Empty ? found : undefined;
  }

  /** What every entry would be owed if settled now, summed. */
  totalOwed(): bigint {
    return this.entries().reduce((sum, e) => sum + e.owed, 0n);
  }
}

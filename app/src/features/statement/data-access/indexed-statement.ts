// A wallet's statement from the indexer (TanStack Query), as the panel's rows; and the check of
// those rows against what the program's ledger says each contribution was paid.
import { useQuery } from '@tanstack/react-query';
import { createIndexerClient, type IndexerClient, type IndexerPayout } from '@tributary/client';
import { useMemo } from 'react';
import type { StatementRow } from '../statement';

export function useIndexerClient(url: string | null): IndexerClient | null {
  return useMemo(() => (url ? createIndexerClient(url) : null), [url]);
}

/** The indexer's payouts as statement rows (pool filter applied by the indexer). */
export function rowsOfPayouts(payouts: IndexerPayout[]): StatementRow[] {
  return payouts.map((p) => ({
    time: p.block_time ?? 0,
    signature: p.signature,
    payoutAccount: p.payout_account,
    entries: [...p.entries].sort((a, b) => a - b),
    amount: BigInt(p.amount),
  }));
}

/**
 * Entries whose indexed payouts (all time) differ from the ledger's `paid`: the indexer is behind,
 * or wrong. Payouts into an account shared by several entries are compared as one sum.
 */
export function ledgerDisagreements(rows: StatementRow[], ledger: { entry: number; paid: bigint }[]): { entries: number[]; indexed: bigint; ledger: bigint }[] {
  const groups = new Map<string, { entries: number[]; indexed: bigint; ledger: bigint }>();
  const groupOf = new Map<number, string>();
  for (const r of rows) {
    const key = r.entries.join(' ');
    for (const e of r.entries) groupOf.set(e, key);
    const g = groups.get(key) ?? { entries: r.entries, indexed: 0n, ledger: 0n };
    g.indexed += r.amount;
    groups.set(key, g);
  }
  for (const { entry, paid } of ledger) {
    const key = groupOf.get(entry) ?? String(entry);
    const g = groups.get(key) ?? { entries: [entry], indexed: 0n, ledger: 0n };
    g.ledger += paid;
    groups.set(key, g);
  }
  return [...groups.values()].filter((g) => g.indexed !== g.ledger);
}

/** `owner`'s payouts in `pool` over [from, to] (UTC days), every page; refetched when `paidOnChain`
 * (the ledger's total for the wallet) changes, so a new payout shows without a reload. */
export function useIndexedStatement(indexer: IndexerClient | null, owner: string | null, pool: string, from: string, to: string, paidOnChain: bigint) {
  return useQuery({
    queryKey: ['indexer', indexer?.baseUrl, 'statement', owner, pool, from, to, paidOnChain.toString()],
    enabled: indexer !== null && owner !== null,
    queryFn: async () => rowsOfPayouts(await indexer!.allWalletPayouts(owner!, { pool, from: from || undefined, to: to || undefined })),
  });
}

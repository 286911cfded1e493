// A pool's books per day (UTC) from the indexer (TanStack Query): revenue deposited, usage fees,
// paid out and cranker rewards. Refetched when the pool's on-chain totals move.
import { useQuery } from '@tanstack/react-query';
import { createIndexerClient, type IndexerDay } from '@tributary/client';

export type PoolDay = { day: string; deposited: bigint; usageFees: bigint; paid: bigint; rewards: bigint; payouts: number };

export function poolDaysOf(days: IndexerDay[]): PoolDay[] {
  return days.map((d) => ({ day: d.day, deposited: BigInt(d.deposited), usageFees: BigInt(d.usage_fees), paid: BigInt(d.paid), rewards: BigInt(d.cranker_rewards), payouts: d.payouts }));
}

/** `version`: anything that changes when the pool's books do (its on-chain totals). */
export function usePoolDays(indexerUrl: string | null, pool: string, version: string) {
  return useQuery({
    queryKey: ['indexer', indexerUrl, 'pool-days', pool, version],
    enabled: indexerUrl !== null,
    queryFn: async () => poolDaysOf((await createIndexerClient(indexerUrl!).poolDaily(pool)).items),
  });
}

/** The indexer's CSV of the pool's days (every filter applies server-side). */
export function poolDaysCsvUrl(indexerUrl: string, pool: string): string {
  return `${indexerUrl.replace(/\/+$/, '')}/v1/pools/${encodeURIComponent(pool)}/daily?format=csv`;
}

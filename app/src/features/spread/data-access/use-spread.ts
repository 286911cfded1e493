// How weight and payouts spread over the pool's contributors (TanStack Query), from the client's
// PoolView over RPC: read again when the pool's books move, not on a timer.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Address } from '@solana/kit';
import { poolAmounts } from '@tributary/client';
import { loadSpread, type PoolState, type Reads } from '../../../chain';

/** What changes when the spread can: revenue per weight (deposits, usage fees), payouts, weights,
 * registrations and closes. */
export const spreadVersion = ({ pool, contributors }: PoolState): string => {
  const amounts = poolAmounts(pool);
  return [amounts.accPerWeight, amounts.totalPaid, pool.totalWeight, pool.epoch, pool.entryCount, contributors].join(':');
};

export function useSpread(reads: Reads, pool: Address, version: string) {
  return useQuery({
    queryKey: ['spread', reads.rpcUrl, pool, version],
    queryFn: () => loadSpread(reads.rpc, pool),
    placeholderData: keepPreviousData,
    refetchOnWindowFocus: false,
  });
}

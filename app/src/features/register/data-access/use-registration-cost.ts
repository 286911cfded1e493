// What registering costs the wallet now (TanStack Query): asked after typing pauses, and again
// when the pool's ledger pages or page fund move (they decide whether a page must be opened).
import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Address } from '@solana/kit';
import { registrationCost, type PoolState, type Reads } from '../../../chain';
import { queryKeys } from '../../../query-keys';

/** `value`, once it has stayed the same for `ms`. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function useRegistrationCost(reads: Reads, pool: PoolState | undefined, owner: Address | null, uri: string) {
  const settledUri = useSettled(uri || 'ipfs://', 300);
  const p = pool?.pool;
  return useQuery({
    queryKey: [
      ...queryKeys.registrationCost(reads.rpcUrl, pool?.address ?? ('' as Address), owner ?? ('' as Address), settledUri),
      `${p?.entryCount}:${p?.ledgerPages}:${p?.pageFund}`,
    ],
    enabled: !!pool && !!owner,
    queryFn: () => registrationCost(reads, pool!, owner!, settledUri),
    // the last figure stays while the next is asked, for the same wallet only
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[5] === owner ? previous : undefined),
  });
}

// The program's pools for the list page (one getProgramAccounts), each with its token's name.
import { useQueries, useQuery } from '@tanstack/react-query';
import type { Address } from '@solana/kit';
import { listPools, loadTokenInfo, type Reads } from '../../../chain';
import { queryKeys } from '../../../query-keys';

export function usePools(reads: Reads, programId: Address, enabled: boolean) {
  const pools = useQuery({
    queryKey: queryKeys.pools(reads.rpcUrl, programId),
    enabled,
    queryFn: () => listPools(reads.rpc, programId),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const mints = [...new Set((pools.data ?? []).map((p) => p.mint))];
  const tokens = useQueries({
    queries: mints.map((mint) => ({
      queryKey: queryKeys.fixed(reads.rpcUrl, 'token-info', mint),
      queryFn: () => loadTokenInfo(reads.rpc, mint),
      staleTime: Infinity,
      refetchOnWindowFocus: false,
      retry: 1,
    })),
  });
  const tokenOf = new Map(mints.map((mint, i) => [mint, tokens[i]?.data ?? null]));
  return { ...pools, tokenOf };
}

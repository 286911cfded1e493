// The program's pools for the list page (one getProgramAccounts), each with its token's name.
import { useQueries, useQuery } from '@tanstack/react-query';
import type { Address } from '@solana/kit';
import { listPools, type Reads } from '../../../chain';
import { queryKeys } from '../../../query-keys';
import { tokenInfoQuery } from '../../pool/data-access/use-pool';

export function usePools(reads: Reads, programId: Address) {
  const pools = useQuery({
    queryKey: queryKeys.pools(reads.rpcUrl, programId),
    queryFn: () => listPools(reads.rpc, programId),
  });
  const mints = [...new Set((pools.data ?? []).map((p) => p.mint))];
  const tokens = useQueries({ queries: mints.map((mint) => tokenInfoQuery(reads, mint)) });
  const tokenOf = new Map(mints.map((mint, i) => [mint, tokens[i]?.data ?? null]));
  return { ...pools, tokenOf };
}

// The pool's account (TanStack Query, under the pool's key: subscriptions invalidate it) and its
// token's name and symbol (read once; failing to read them fails nothing).
import { useQuery } from '@tanstack/react-query';
import type { Address } from '@solana/kit';
import { loadPool, loadTokenInfo, type Reads } from '../../../chain';
import { queryKeys } from '../../../query-keys';

export function usePool(reads: Reads, pool: Address | null) {
  return useQuery({
    queryKey: queryKeys.pool(reads.rpcUrl, pool ?? ('' as Address)),
    enabled: pool !== null,
    queryFn: () => loadPool(reads.rpc, pool!),
  });
}

/** A mint's name and symbol: a nicety. Without them the mint's address is shown, and no panel
 * shows an error for them. */
export const tokenInfoQuery = (reads: Reads, mint: Address) => ({
  queryKey: queryKeys.fixed(reads.rpcUrl, 'token-info', mint),
  queryFn: () => loadTokenInfo(reads.rpc, mint),
  retry: 1,
});

export function useTokenInfo(reads: Reads, mint: Address | undefined) {
  return useQuery({ ...tokenInfoQuery(reads, mint ?? ('' as Address)), enabled: mint !== undefined });
}

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
    // fresh until a subscription (or the page's own transaction) says otherwise
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
}

/** A mint's name and symbol: a nicety. Without them the mint's address is shown, and the pool
 * panel never shows an error for them. */
export function useTokenInfo(reads: Reads, mint: Address | undefined) {
  return useQuery({
    queryKey: queryKeys.fixed(reads.rpcUrl, 'token-info', mint ?? ''),
    enabled: mint !== undefined,
    queryFn: () => loadTokenInfo(reads.rpc, mint!),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    retry: 1,
  });
}

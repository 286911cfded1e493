// The endpoint's reads for the page: one RPC client per endpoint, and the page's query cache.
import { useMemo } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { createSolanaRpc } from '@solana/kit';
import type { Reads } from './chain';

export function useReads(rpcUrl: string): Reads {
  const queries = useQueryClient();
  return useMemo(() => ({ rpc: createSolanaRpc(rpcUrl), rpcUrl, queries }), [rpcUrl, queries]);
}

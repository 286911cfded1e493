// The pool's recent crank batches (TanStack Query): from the indexer when one is configured, else
// from the pool's recent transactions over RPC (only Tributary's own CrankBatch events count).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Address } from '@solana/kit';
import { loadCrankBatches, loadCrankBatchesFromIndexer, type Reads } from '../../../chain';
import type { Config } from '../../../config';

/** `version`: what changes when a crank pays (the pool's paid total); subscriptions move it, so the
 * list is read again then and not on a timer. */
export function useCrankBatches(cfg: Config, reads: Reads, pool: Address, version: string) {
  return useQuery({
    queryKey: ['crank-batches', cfg.indexerUrl ?? cfg.rpcUrl, cfg.programId, pool, version],
    queryFn: () => (cfg.indexerUrl ? loadCrankBatchesFromIndexer(cfg.indexerUrl, pool) : loadCrankBatches(reads, cfg.programId, pool)),
    // the previous list stays on screen while the next loads
    placeholderData: keepPreviousData,
    // subscriptions say when the pool changed; focusing the window is no reason to ask the RPC again
    refetchOnWindowFocus: false,
  });
}

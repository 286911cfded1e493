// Every query key of the app's chain reads, in one place. What can change when a pool changes lies
// under `pool(...)`, so one invalidation (live.ts, on a subscription's notification or after the
// app's own transaction) refetches all of it; what never changes (rent per size, a genesis hash, a
// landed transaction, a mint's name) lies under `fixed(...)` and is read once.
import type { Address } from '@solana/kit';

export const queryKeys = {
  /** Everything read from one endpoint. */
  chain: (rpcUrl: string) => ['chain', rpcUrl] as const,
  /** The pool's account and all that moves with it. */
  pool: (rpcUrl: string, pool: Address) => ['chain', rpcUrl, 'pool', pool] as const,
  /** A wallet's contributions to the pool and its balances (moves with the pool and with the
   * wallet's main payout account). */
  wallet: (rpcUrl: string, pool: Address, owner: Address) => ['chain', rpcUrl, 'pool', pool, 'wallet', owner] as const,
  /** The wallet's contributions to the pool and its balances. */
  contributions: (rpcUrl: string, pool: Address, owner: Address) => ['chain', rpcUrl, 'pool', pool, 'wallet', owner, 'contributions'] as const,
  /** What registering `uri` costs the wallet now (moves with the pool's ledger pages). */
  registrationCost: (rpcUrl: string, pool: Address, owner: Address, uri: string) => ['chain', rpcUrl, 'pool', pool, 'wallet', owner, 'registration-cost', uri] as const,
  /** The program's pools (the list page; read once per visit). */
  pools: (rpcUrl: string, programId: Address) => ['chain', rpcUrl, 'pools', programId] as const,
  /** The endpoint's genesis hash checked against the cluster the page was given. */
  clusterCheck: (rpcUrl: string, cluster: string) => ['chain', rpcUrl, 'cluster-check', cluster] as const,
  /** Answers that never change for an endpoint. */
  fixed: (rpcUrl: string, ...what: (string | number)[]) => ['chain', rpcUrl, 'fixed', ...what] as const,
};

/** Every chain read is fresh until a subscription, the polling fallback or the page's own
 * transaction invalidates it (live.ts): never stale by age, never refetched on window focus.
 * Applied to every key under `chain(...)` by the page's QueryClient (main.tsx). */
export const chainQueryDefaults = { staleTime: Infinity, refetchOnWindowFocus: false } as const;

// The connected wallet's contributions to the pool, its SOL and its main payout account's balance
// (TanStack Query, under the pool's key: a change to the pool, a transaction mentioning it, or a
// change to the main payout account invalidates it).
import { useQuery } from '@tanstack/react-query';
import type { Address } from '@solana/kit';
import { associatedTokenAddress, loadMyContributions, tokenBalance, type MyContribution, type PoolState, type Reads } from '../../../chain';
import type { Config } from '../../../config';
import { queryKeys } from '../../../query-keys';

export type MyWallet = { contributions: MyContribution[]; sol: bigint; token: bigint; mainAccount: Address };

export function useMyContributions(reads: Reads, cfg: Config, pool: PoolState | undefined, owner: Address | null) {
  const mint = pool?.pool.mint;
  const tokenProgram = pool?.pool.tokenProgram;
  return useQuery({
    queryKey: queryKeys.contributions(reads.rpcUrl, pool?.address ?? ('' as Address), owner ?? ('' as Address)),
    enabled: !!pool && !!owner,
    queryFn: async (): Promise<MyWallet> => {
      const mainAccount = await associatedTokenAddress(owner!, mint!, tokenProgram!);
      const [contributions, sol, token] = await Promise.all([
        loadMyContributions(reads, cfg, pool!.address, owner!),
        reads.rpc.getBalance(owner!, { commitment: 'confirmed' }).send(),
        tokenBalance(reads.rpc, mainAccount, tokenProgram!),
      ]);
      return { contributions, sol: sol.value, token, mainAccount };
    },
  });
}

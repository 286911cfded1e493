// The page: the wallet in the header, the transaction status, and the panels, each a feature folder
// (features/<name>/{data-access, ui}) reading through TanStack Query. Subscriptions (live.ts)
// invalidate the pool's query keys; nothing here loads or caches by hand.
import { lazy, Suspense, useEffect, useMemo } from 'react';
import { address } from '@solana/kit';
import { useQuery } from '@tanstack/react-query';
import { poolAmounts } from '@tributary/client';
import { checkCluster, UserFacingError, type SendContext } from './chain';
import { loadConfig, type Config } from './config';
import { short } from './format';
import { queryKeys } from './query-keys';
import { useReads } from './use-reads';
import { useLiveInvalidation, useSubscriptions, type Watch } from './live';
import { ConnectButton, DisconnectButton, SenderProvider, useSender, useWallet } from './wallet';
import { PoolList } from './features/pools/ui/PoolList';
import { usePool, useTokenInfo } from './features/pool/data-access/use-pool';
import { PoolPanel } from './features/pool/ui/PoolPanel';
import { RegisterPanel } from './features/register/ui/RegisterPanel';
import { ContributionsPanel } from './features/contributions/ui/ContributionsPanel';
import { useMyContributions } from './features/contributions/data-access/use-my-contributions';
import { useTransaction } from './features/transaction/data-access/use-transaction';
import { TransactionStatus } from './features/transaction/ui/TransactionStatus';
import { SpreadPanel } from './features/spread/ui/SpreadPanel';
import { CrankBatchesPanel } from './features/batches/ui/CrankBatchesPanel';
const PoolDaysPanel = lazy(() => import('./features/pool-days/ui/PoolDaysPanel').then((m) => ({ default: m.PoolDaysPanel })));
const chartFallback = <p className="muted">Drawing…</p>;

export function App() {
  const cfg = useMemo(() => loadConfig(), []);
  const { account } = useWallet();
  return (
    <SenderProvider account={account} chain={cfg.chain}>
      <Page cfg={cfg} />
    </SenderProvider>
  );
}

function Page({ cfg }: { cfg: Config }) {
  const reads = useReads(cfg.rpcUrl);
  const { wallets, wallet, account, setAccount } = useWallet();
  const sender = useSender();
  const owner = account ? address(account.address) : null;
  const tx = useTransaction(cfg.rpcUrl, cfg.pool);
  const poolQuery = usePool(reads, cfg.pool);
  const pool = poolQuery.data;
  const token = useTokenInfo(reads, pool?.pool.mint).data ?? null;
  const mine = useMyContributions(reads, cfg, pool, owner);

  // the cluster is the RPC endpoint's (its genesis hash), whatever chains the wallet lists: asked
  // once per endpoint, when a wallet connects
  const cluster = useQuery({
    queryKey: queryKeys.clusterCheck(cfg.rpcUrl, cfg.cluster),
    enabled: !!account,
    queryFn: () => checkCluster(reads, cfg),
  });
  const { showError } = tx;
  useEffect(() => {
    if (cluster.data) showError(new UserFacingError(cluster.data));
    else if (cluster.isError) showError(cluster.error);
  }, [cluster.data, cluster.isError, cluster.error, showError]);

  // what moves the page: the pool's account and every transaction mentioning it (the pool's keys),
  // and the wallet's main payout account (its balance) — watched apart, so that a wallet connecting
  // never restarts the pool's subscriptions
  const subscriptions = useSubscriptions(cfg.wsUrl);
  const poolWatch = useMemo(
    (): Watch[] =>
      cfg.pool
        ? [
            { account: cfg.pool, keys: queryKeys.pool(cfg.rpcUrl, cfg.pool) },
            { logsOf: cfg.pool, keys: queryKeys.pool(cfg.rpcUrl, cfg.pool) },
          ]
        : [],
    [cfg.pool, cfg.rpcUrl],
  );
  const mainAccount = mine.data?.mainAccount;
  const walletWatch = useMemo(
    (): Watch[] => (cfg.pool && owner && mainAccount ? [{ account: mainAccount, keys: queryKeys.wallet(cfg.rpcUrl, cfg.pool, owner) }] : []),
    [cfg.pool, cfg.rpcUrl, owner, mainAccount],
  );
  const live = useLiveInvalidation(subscriptions, poolWatch);
  useLiveInvalidation(subscriptions, walletWatch);

  const ctx: SendContext | null = sender && owner ? { ...reads, cfg, subscriptions, payer: owner, sender, fees: tx.fees } : null;
  const decimals = pool?.pool.decimals ?? 0;
  const symbol = pool ? token?.symbol || short(pool.pool.mint) : '';

  return (
    <>
      <header>
        <h1>Tributary</h1>
        <span className="badge" data-testid="cluster">{cfg.cluster}</span>
        {cfg.pool && (
          <span className="badge" data-testid="live" title="Updates arrive by subscription; without one the page polls">
            {live}
          </span>
        )}
        {account && wallet ? (
          <span className="wallet">
            <span data-testid="connected" data-cluster={cluster.data === undefined ? undefined : cluster.data ? 'mismatch' : 'ok'} data-mode={sender?.mode}>
              {wallet.name}: {short(account.address)}
            </span>
            {wallet.accounts.length > 1 && (
              <select
                aria-label="Account"
                data-testid="account-select"
                value={account.address}
                onChange={(e) => setAccount(wallet.accounts.find((a) => a.address === e.target.value))}
              >
                {wallet.accounts.map((a) => (
                  <option key={a.address} value={a.address}>
                    {short(a.address)}
                  </option>
                ))}
              </select>
            )}
            <DisconnectButton wallet={wallet} />
          </span>
        ) : wallets.length === 0 ? (
          <span className="on-dark">No Solana wallet found — install Phantom or another Wallet Standard wallet</span>
        ) : (
          wallets.map((w) => <ConnectButton key={w.name} wallet={w} onError={tx.showError} />)
        )}
      </header>
      <main>
        <TransactionStatus cfg={cfg} tx={tx} />
        {!cfg.pool && <PoolList cfg={cfg} reads={reads} />}
        {cfg.pool && <PoolPanel cfg={cfg} pool={poolQuery} token={token} symbol={symbol} />}
        {cfg.pool && <RegisterPanel reads={reads} pool={pool} owner={owner} ctx={ctx} tx={tx} symbol={symbol} />}
        {cfg.pool && <ContributionsPanel cfg={cfg} reads={reads} pool={pool} owner={owner} ctx={ctx} tx={tx} symbol={symbol} />}
        {pool && <SpreadPanel reads={reads} pool={pool} />}
        {cfg.indexerUrl && pool && (
          <Suspense fallback={chartFallback}>
            <PoolDaysPanel
              indexerUrl={cfg.indexerUrl}
              pool={pool.address}
              version={`${poolAmounts(pool.pool).totalDeposited}:${poolAmounts(pool.pool).totalPaid}`}
              decimals={decimals}
              symbol={symbol}
            />
          </Suspense>
        )}
        {pool && <CrankBatchesPanel cfg={cfg} reads={reads} pool={pool.address} version={poolAmounts(pool.pool).totalPaid.toString()} decimals={decimals} symbol={symbol} />}
      </main>
    </>
  );
}

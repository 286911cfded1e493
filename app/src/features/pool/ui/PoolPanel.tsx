// The pool: its token, who can freeze its vault, its state and totals.
import { isPaused, poolAmounts } from '@tributary/client';
import type { UseQueryResult } from '@tanstack/react-query';
import { explain, type PoolState, type TokenInfo } from '../../../chain';
import { explorerUrl, type Config } from '../../../config';
import { formatAmount, short } from '../../../format';

type Props = { cfg: Config; pool: UseQueryResult<PoolState>; token: TokenInfo | null; symbol: string };

export function PoolPanel({ cfg, pool: query, token, symbol }: Props) {
  const pool = query.data;
  const decimals = pool?.pool.decimals ?? 0;
  const amount = (v: bigint) => formatAmount(v, decimals);
  return (
    <section data-testid="pool" aria-busy={query.isFetching}>
      <h2>Pool</h2>
      {query.isError && (
        <p className="error" role="alert" data-testid="pool-error">
          Could not load: {explain(query.error)}
        </p>
      )}
      {query.isPending && <p className="muted">Loading the pool…</p>}
      {pool && (
        <dl>
          <dt>address</dt><dd><a href={explorerUrl(cfg, 'address', pool.address)} target="_blank" rel="noreferrer">{pool.address}</a></dd>
          <dt>token</dt>
          <dd data-testid="pool-token">
            {token?.symbol ? `${token.symbol}${token.name ? ` (${token.name})` : ''}` : short(pool.pool.mint)}, {decimals} decimals ·{' '}
            <a href={explorerUrl(cfg, 'address', pool.pool.mint)} target="_blank" rel="noreferrer" title={pool.pool.mint}>mint {short(pool.pool.mint)}</a>
          </dd>
          <dt>freeze authority</dt>
          <dd data-testid="pool-freeze-authority">
            {pool.freezeAuthority
              ? `${pool.freezeAuthority} — can freeze the pool's vault, which would stop every claim and payout`
              : 'none: the vault cannot be frozen'}
          </dd>
          <dt>state</dt><dd>{isPaused(pool.pool) ? 'paused' : 'active'}</dd>
          <dt>contributors</dt><dd data-testid="pool-contributors">{pool.contributors}</dd>
          <dt>total deposited</dt><dd data-testid="pool-deposited">{amount(poolAmounts(pool.pool).totalDeposited)} {symbol}</dd>
          <dt>total paid</dt><dd data-testid="pool-paid">{amount(poolAmounts(pool.pool).totalPaid)} {symbol}</dd>
        </dl>
      )}
    </section>
  );
}

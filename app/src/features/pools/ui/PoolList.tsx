// Without ?pool=: the program's pools, each a link to its page (cluster, RPC and program kept).
import type { Config } from '../../../config';
import { explain, type Reads } from '../../../chain';
import { formatAmount, short } from '../../../format';
import { usePools } from '../data-access/use-pools';

/** This page's address with `?pool=` set (the cluster, RPC and program parameters kept). */
const withPool = (pool: string) => {
  const q = new URLSearchParams(window.location.search);
  q.set('pool', pool);
  return `?${q.toString()}`;
};

export function PoolList({ cfg, reads }: { cfg: Config; reads: Reads }) {
  const pools = usePools(reads, cfg.programId);
  const list = pools.data;
  return (
    <section className="wide" data-testid="pools">
      <h2>Pools</h2>
      {pools.isPending && <p className="muted">Looking for pools…</p>}
      {pools.isError && (
        <p className="error" role="alert" data-testid="pools-error">
          Could not load: {explain(pools.error)}
        </p>
      )}
      {list?.length === 0 && <p>This program has no pools on {cfg.cluster} yet.</p>}
      {list && list.length > 0 && (
        <table data-testid="pool-list">
          <thead>
            <tr><th>pool</th><th>token</th><th className="num">contributors</th><th className="num">deposited</th><th>state</th></tr>
          </thead>
          <tbody>
            {list.map((p) => {
              const token = pools.tokenOf.get(p.mint);
              return (
                <tr key={p.address}>
                  <td><a data-testid="pool-link" href={withPool(p.address)}>{short(p.address)}</a></td>
                  <td title={p.mint} data-testid="pool-token">{token?.symbol ? `${token.symbol}${token.name ? ` · ${token.name}` : ''}` : short(p.mint)}</td>
                  <td className="num">{p.contributors}</td>
                  <td className="num">{formatAmount(p.deposited, p.decimals)}</td>
                  <td>{p.paused ? 'paused' : 'active'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

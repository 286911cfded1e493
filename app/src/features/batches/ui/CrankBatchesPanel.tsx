// The pool's recent crank batches: payouts per day and the latest fifteen batches.
import { lazy, Suspense } from 'react';
import type { Address } from '@solana/kit';
import { explain, type Reads } from '../../../chain';
import { explorerUrl, type Config } from '../../../config';
import { formatAmount, short, when } from '../../../format';
import { useCrankBatches } from '../data-access/use-crank-batches';

// the chart library loads with the first chart, not with the page
const PayoutsPerDayChart = lazy(() => import('../../../charts').then((m) => ({ default: m.PayoutsPerDayChart })));

type Props = { cfg: Config; reads: Reads; pool: Address; version: string; decimals: number; symbol: string };

export function CrankBatchesPanel({ cfg, reads, pool, version, decimals, symbol }: Props) {
  const query = useCrankBatches(cfg, reads, pool, version);
  const batches = query.data ?? [];
  const amount = (v: bigint) => formatAmount(v, decimals);
  return (
    <section className="wide" data-testid="batches" aria-busy={query.isFetching}>
      <h2>Recent crank batches</h2>
      {query.isError && (
        <p className="error" role="alert" data-testid="batches-error">
          Could not load: {explain(query.error)}
        </p>
      )}
      <Suspense fallback={<p className="muted">Drawing…</p>}>
        <PayoutsPerDayChart batches={batches} decimals={decimals} symbol={symbol} />
      </Suspense>
      {batches.length === 0 ? (
        query.isSuccess && <p className="muted">No crank batches yet.</p>
      ) : (
        <table>
          <thead>
            <tr><th>time</th><th>page</th><th className="num">payouts</th><th className="num">skipped</th><th className="num">amount</th><th className="num">cranker reward</th><th>cranker</th><th>tx</th></tr>
          </thead>
          <tbody>
            {batches.slice(0, 15).map((b) => (
              <tr key={`${b.signature}-${b.page}`} data-testid="batch">
                <td>{when(b.time)}</td><td>{b.page}</td><td className="num">{b.paid}</td><td className="num">{b.skipped}</td>
                <td className="num">{amount(b.amount)}</td><td className="num">{amount(b.reward)}</td><td>{short(b.cranker)}</td>
                <td><a href={explorerUrl(cfg, 'tx', b.signature)} target="_blank" rel="noreferrer" title={`transaction ${b.signature} in the explorer`}>{short(b.signature)}</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

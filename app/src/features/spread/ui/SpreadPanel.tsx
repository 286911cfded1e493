// Who earns: each of the top contributors' share of the weight and of what was paid, then the tail.
import { lazy, Suspense } from 'react';
import { explain, type PoolState, type Reads } from '../../../chain';
import { spreadVersion, useSpread } from '../data-access/use-spread';

// the chart library loads with the first chart, not with the page
const SpreadChart = lazy(() => import('../../../charts').then((m) => ({ default: m.SpreadChart })));

export function SpreadPanel({ reads, pool }: { reads: Reads; pool: PoolState }) {
  const query = useSpread(reads, pool.address, spreadVersion(pool));
  return (
    <section className="wide" data-testid="spread" aria-busy={query.isFetching}>
      <h2>Who earns: weight and payouts across contributors</h2>
      {query.isError && (
        <p className="error" role="alert" data-testid="spread-error">
          Could not load: {explain(query.error)}
        </p>
      )}
      {query.data && (
        <Suspense fallback={<p className="muted">Drawing…</p>}>
          <SpreadChart spread={query.data} />
        </Suspense>
      )}
    </section>
  );
}

// The pool's books per day from the indexer: a chart of what came in and what went out, and the
// days as CSV. Shown only when an indexer is configured (RPC cannot answer this without a scan).
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatAmount } from '../../../format';
import { poolDaysCsvUrl, usePoolDays } from '../data-access/use-pool-days';

const toUnits = (v: bigint, decimals: number) => Number(v) / 10 ** decimals;

export function PoolDaysPanel({ indexerUrl, pool, version, decimals, symbol }: { indexerUrl: string; pool: string; version: string; decimals: number; symbol: string }) {
  const days = usePoolDays(indexerUrl, pool, version);
  const data = (days.data ?? []).map((d) => ({ day: d.day, in: toUnits(d.deposited + d.usageFees, decimals), out: toUnits(d.paid + d.rewards, decimals) }));
  const paid = (days.data ?? []).reduce((sum, d) => sum + d.paid, 0n);
  return (
    <section className="wide" data-testid="pool-days" aria-busy={days.isLoading}>
      <h2>The pool per day</h2>
      {days.isError && <p className="error">The indexer did not answer: {days.error instanceof Error ? days.error.message : 'error'}</p>}
      {days.data && days.data.length === 0 && <p className="muted">Nothing indexed yet.</p>}
      {data.length > 0 && (
        <figure aria-label={`Revenue in and payouts out over ${data.length} days`}>
          <ResponsiveContainer width="100%" height={180}>
            <BarChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e6e8eb" />
              <XAxis dataKey="day" fontSize={11} />
              <YAxis fontSize={11} width={56} />
              <Tooltip formatter={(v, n) => [`${v} ${symbol}`, n === 'in' ? 'deposits and usage fees' : 'payouts and rewards']} />
              <Legend formatter={(n) => (n === 'in' ? 'deposits and usage fees' : 'payouts and cranker rewards')} />
              <Bar dataKey="in" fill="#1f6feb" maxBarSize={48} isAnimationActive={false} />
              <Bar dataKey="out" fill="#2e7d4f" maxBarSize={48} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
          <figcaption className="muted">
            Per day (UTC), from the indexer: <span data-testid="pool-days-paid">{formatAmount(paid, decimals)}</span> {symbol} paid to contributors in{' '}
            {days.data!.length} {days.data!.length === 1 ? 'day' : 'days'}.{' '}
            <a data-testid="pool-days-csv" href={poolDaysCsvUrl(indexerUrl, pool)} download>
              Days as CSV
            </a>
          </figcaption>
        </figure>
      )}
    </section>
  );
}

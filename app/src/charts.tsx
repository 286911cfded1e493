// Pictures where people would rather look than read (Recharts): a contribution's earnings over
// time, how weight and payouts spread over the pool's contributors, and payouts per day.
// Amounts become floating point here only to be drawn; every figure shown as text stays exact.
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { CrankBatchEvent, Payout, Spread } from './chain';
import { timeTickFormatter } from './format';

const toUnits = (v: bigint, decimals: number) => Number(v) / 10 ** decimals;
const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
const BLUE = '#1f6feb';
const GREEN = '#2e7d4f';

/** What one contribution was paid, summed over time (its payout history, oldest first). */
export function EarningsChart({ history, since, sharing, decimals, symbol }: { history: Payout[]; since: number; sharing: number; decimals: number; symbol: string }) {
  let total = 0n;
  const paid = history.map((p) => {
    total += p.amount;
    return { time: p.time, paid: toUnits(total, decimals) };
  });
  if (paid.length === 0) return <p className="muted">No payouts yet.</p>;
  // from nothing at registration to the total now: a step at every payout
  const data = [{ time: Math.min(since, paid[0].time), paid: 0 }, ...paid, { time: Math.max(Date.now() / 1000, paid[paid.length - 1].time), paid: toUnits(total, decimals) }];
  return (
    <figure data-testid="earnings-chart" aria-label={`Paid over time: ${toUnits(total, decimals)} ${symbol} in ${paid.length} payouts`}>
      <ResponsiveContainer width="100%" height={160}>
        <AreaChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e6e8eb" />
          <XAxis dataKey="time" type="number" domain={['dataMin', 'dataMax']} tickFormatter={timeTickFormatter(data[data.length - 1].time - data[0].time)} fontSize={11} />
          <YAxis fontSize={11} width={56} />
          <Tooltip labelFormatter={(t) => new Date(Number(t) * 1000).toLocaleString()} formatter={(v) => [`${v} ${symbol}`, 'paid so far']} />
          <Area type="stepAfter" dataKey="paid" stroke={GREEN} fill="#cfe9d8" isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
      <figcaption className="muted">
        {sharing > 1
          ? `Paid into this payout account over time (${symbol}), together for the ${sharing} of your contributions that use it`
          : `Paid to this contribution over time (${symbol})`}
      </figcaption>
    </figure>
  );
}

/** The top contributors by weight and the long tail as one bar: each one's share of the weight and of what was paid. */
export function SpreadChart({ spread, top = 10 }: { spread: Spread; top?: number }) {
  const totalWeight = spread.reduce((a, e) => a + e.weight, 0n);
  const totalPaid = spread.reduce((a, e) => a + e.paid, 0n);
  if (spread.length === 0) return <p className="muted">No contributors yet.</p>;
  if (totalWeight === 0n && totalPaid === 0n) return <p className="muted">No weights posted and nothing paid yet.</p>;
  const share = (v: bigint, of: bigint) => (of === 0n ? 0 : Number((v * 10_000n) / of) / 100);
  const ranked = [...spread].sort((a, b) => (b.weight > a.weight ? 1 : b.weight < a.weight ? -1 : b.paid > a.paid ? 1 : -1));
  const head = ranked.slice(0, top).map((e) => ({ name: `#${e.entry}`, weight: share(e.weight, totalWeight), paid: share(e.paid, totalPaid) }));
  const tail = ranked.slice(top);
  if (tail.length > 0) {
    const sum = (k: 'weight' | 'paid') => tail.reduce((a, e) => a + e[k], 0n);
    head.push({ name: `${tail.length} others`, weight: share(sum('weight'), totalWeight), paid: share(sum('paid'), totalPaid) });
  }
  return (
    <figure data-testid="spread-chart" aria-label={`Weight and payouts over ${spread.length} contributors`}>
      <ResponsiveContainer width="100%" height={200}>
        <BarChart data={head} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e6e8eb" />
          <XAxis dataKey="name" fontSize={11} />
          <YAxis unit="%" fontSize={11} width={48} />
          <Tooltip formatter={(v, n) => [`${v} %`, n === 'weight' ? 'share of weight' : 'share of paid']} />
          <Legend formatter={(n) => (n === 'weight' ? 'share of weight' : 'share of paid')} />
          <Bar dataKey="weight" fill={BLUE} maxBarSize={48} isAnimationActive={false} />
          <Bar dataKey="paid" fill={GREEN} maxBarSize={48} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <figcaption className="muted">Top {Math.min(top, spread.length)} contributors by weight{tail.length ? ', then the long tail' : ''}</figcaption>
    </figure>
  );
}

/** Paid out by the crank per day (UTC), from the recent CrankBatch events. */
export function PayoutsPerDayChart({ batches, decimals, symbol }: { batches: CrankBatchEvent[]; decimals: number; symbol: string }) {
  const byDay = new Map<string, bigint>();
  for (const b of batches) if (b.time) byDay.set(day(b.time), (byDay.get(day(b.time)) ?? 0n) + b.amount);
  const data = [...byDay].sort(([a], [b]) => a.localeCompare(b)).map(([d, amount]) => ({ day: d, paid: toUnits(amount, decimals) }));
  if (data.length === 0) return null;
  return (
    <figure data-testid="payouts-chart" aria-label={`Crank payouts per day over ${data.length} days`}>
      <ResponsiveContainer width="100%" height={160}>
        <BarChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e6e8eb" />
          <XAxis dataKey="day" fontSize={11} />
          <YAxis fontSize={11} width={56} />
          <Tooltip formatter={(v) => [`${v} ${symbol}`, 'paid']} />
          <Bar dataKey="paid" fill={GREEN} maxBarSize={48} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <figcaption className="muted">Crank payouts per day ({symbol})</figcaption>
    </figure>
  );
}

// The earnings statement of the connected wallet in this pool: a date range, the payouts in it and
// their total, and a CSV download of exactly those rows.
import { useMemo, useState } from 'react';
import type { MyContribution } from '../../chain';
import { formatAmount } from '../../format';
import { statementCsv, statementRows } from './statement';

export function StatementPanel({ mine, pool, mint, decimals, symbol }: { mine: MyContribution[]; pool: string; mint: string; decimals: number; symbol: string }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const rows = useMemo(
    () => statementRows(mine.map((c) => ({ entry: c.entry, destination: c.destination, history: c.history })), from, to),
    [mine, from, to],
  );
  const total = rows.reduce((sum, r) => sum + r.amount, 0n);
  const download = () => {
    const url = URL.createObjectURL(new Blob([statementCsv(rows, pool, mint, decimals)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `tributary-statement-${pool.slice(0, 8)}-${from || 'start'}-to-${to || 'now'}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };
  return (
    <div data-testid="statement" className="statement">
      <h3>Earnings statement</h3>
      <label>
        from <input type="date" data-testid="statement-from" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
      </label>{' '}
      <label>
        to <input type="date" data-testid="statement-to" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
      </label>{' '}
      <span data-testid="statement-total">
        {rows.length} {rows.length === 1 ? 'payout' : 'payouts'}, {formatAmount(total, decimals)} {symbol}
      </span>{' '}
      <button data-testid="statement-csv" disabled={rows.length === 0} onClick={download}>
        Download CSV
      </button>
      <p className="muted">
        Days in UTC, both included. Read from the chain for this wallet only: the latest 50 transactions of each payout account.
      </p>
    </div>
  );
}

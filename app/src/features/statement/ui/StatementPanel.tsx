// The earnings statement of the connected wallet in this pool: a date range, the payouts in it and
// their total, and a CSV download of exactly those rows. From the indexer when one is configured
// (every payout, checked against the ledger), else from RPC (this wallet's recent payouts).
import { useMemo, useState } from 'react';
import type { MyContribution } from '../../../chain';
import { formatAmount } from '../../../format';
import { ledgerDisagreements, useIndexedStatement, useIndexerClient } from '../data-access/indexed-statement';
import { statementCsv, statementRows } from '../statement';

type Props = { mine: MyContribution[]; owner: string | null; indexerUrl: string | null; pool: string; mint: string; decimals: number; symbol: string };

export function StatementPanel({ mine, owner, indexerUrl, pool, mint, decimals, symbol }: Props) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const indexer = useIndexerClient(indexerUrl);
  const paidOnChain = mine.reduce((sum, c) => sum + c.paid, 0n);
  const indexed = useIndexedStatement(indexer, owner, pool, from, to, paidOnChain);
  const fromRpc = useMemo(
    () => statementRows(mine.map((c) => ({ entry: c.entry, destination: c.destination, history: c.history })), from, to),
    [mine, from, to],
  );
  // the indexer's answer when there is one; RPC's while it loads or when it fails
  const fromIndexer = indexer !== null && indexed.data !== undefined;
  const rows = fromIndexer ? indexed.data! : fromRpc;
  // only an all-time statement can be held to the ledger's totals
  const disagreements = fromIndexer && !from && !to ? ledgerDisagreements(rows, mine.map((c) => ({ entry: c.entry, paid: c.paid }))) : [];
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
    <div data-testid="statement" className="statement" data-source={fromIndexer ? 'indexer' : 'rpc'}>
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
      {disagreements.length > 0 && (
        <p className="error" role="alert" data-testid="statement-disagrees">
          The indexer is behind or disagrees with the chain:{' '}
          {disagreements
            .map((d) => `entry ${d.entries.join(', ')}: indexed ${formatAmount(d.indexed, decimals)}, ledger ${formatAmount(d.ledger, decimals)}`)
            .join('; ')}
          .
        </p>
      )}
      <p className="muted" data-testid="statement-source">
        Days in UTC, both included.{' '}
        {fromIndexer
          ? `Every payout, from the indexer at ${indexer!.baseUrl}; its all-time total is checked against the program's ledger.`
          : indexer && indexed.isError
            ? `The indexer at ${indexer.baseUrl} did not answer (${indexed.error instanceof Error ? indexed.error.message : 'error'}): read from the chain for this wallet only, the latest 50 transactions of each payout account.`
            : 'Read from the chain for this wallet only: the latest 50 transactions of each payout account.'}
      </p>
    </div>
  );
}

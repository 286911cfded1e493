// The connected wallet's contributions to the pool: weight as a share, owed, paid, payouts over
// time, the attribution report check, the payout account, claim, retire and close; then the
// wallet's earnings statement.
import { lazy, Suspense, useState } from 'react';
import type { Address } from '@solana/kit';
import { parseReport, reportHash, reportWeightOf, toHex } from '@tributary/client';
import {
  changeDestination,
  claim,
  closeContribution,
  explain,
  retire,
  type MyContribution,
  type PoolState,
  type Reads,
  type SendContext,
} from '../../../chain';
import { explorerUrl, type Config } from '../../../config';
import { formatAmount, formatShare, formatSol, short, when } from '../../../format';
import { StatementPanel } from '../../statement/ui/StatementPanel';
import type { Transaction } from '../../transaction/data-access/use-transaction';
import { useMyContributions } from '../data-access/use-my-contributions';

// the chart library loads with the first chart, not with the page
const EarningsChart = lazy(() => import('../../../charts').then((m) => ({ default: m.EarningsChart })));
const chartFallback = <p className="muted">Drawing…</p>;

type Props = { cfg: Config; reads: Reads; pool: PoolState | undefined; owner: Address | null; ctx: SendContext | null; tx: Transaction; symbol: string };

export function ContributionsPanel({ cfg, reads, pool, owner, ctx, tx, symbol }: Props) {
  const query = useMyContributions(reads, cfg, pool, owner);
  const [newDestination, setNewDestination] = useState<Record<string, string>>({});
  const [reportChecks, setReportChecks] = useState<Record<string, { ok: boolean; text: string }>>({});
  const [showHistory, setShowHistory] = useState<Record<string, boolean>>({});
  const mine = owner ? (query.data?.contributions ?? []) : [];
  const balances = owner ? query.data : undefined;
  const decimals = pool?.pool.decimals ?? 0;
  const amount = (v: bigint) => formatAmount(v, decimals);

  // A report file the contributor opens is read and hashed in the page (nothing is uploaded) and
  // checked against the chain: the pool, the epoch and report hash on chain, and this entry's weight.
  async function onReport(c: MyContribution, f: File | undefined) {
    if (!f || !pool) return;
    let check: { ok: boolean; text: string };
    try {
      const report = parseReport(await f.text());
      const problems: string[] = [];
      if (report.pool !== pool.address) problems.push(`it is a report for pool ${short(report.pool)}`);
      if (BigInt(report.epoch) !== pool.pool.epoch) problems.push(`it is epoch ${report.epoch}, the pool is at epoch ${pool.pool.epoch}`);
      const hash = await reportHash(report);
      if (hash !== toHex(Uint8Array.from(pool.pool.reportHash))) problems.push(`its hash ${hash.slice(0, 12)}… is not the report hash on chain`);
      const weight = reportWeightOf(report, c.entry);
      if (c.status === 'active' && BigInt(weight) !== c.weight) problems.push(`it gives this entry weight ${weight}, the chain ${c.weight}`);
      check = problems.length
        ? { ok: false, text: `Does not match: ${problems.join('; ')}` }
        : {
            ok: true,
            text: `Matches the chain: epoch ${report.epoch}, weight ${formatShare(BigInt(weight), BigInt(report.total_weight))} of the report (${weight} of ${report.total_weight}), from ${report.receipts} usage receipts`,
          };
    } catch (e) {
      check = { ok: false, text: `Not a valid report: ${(e as Error).message}` };
    }
    setReportChecks((all) => ({ ...all, [c.address]: check }));
  }

  return (
    <section className="wide" data-testid="mine" aria-busy={!!owner && query.isFetching}>
      <h2>My contributions</h2>
      {owner && query.isError && (
        <p className="error" role="alert" data-testid="mine-error">
          Could not load: {explain(query.error)}
        </p>
      )}
      {balances && (
        <p className="muted" data-testid="balances">
          Wallet: {(Number(balances.sol) / 1e9).toFixed(4)} SOL · <span data-testid="token-balance">{amount(balances.token)}</span> {symbol} in your main account
        </p>
      )}
      {!owner && <p className="muted">Connect your wallet to see your contributions.</p>}
      {owner && query.isSuccess && mine.length === 0 && <p className="muted">None yet in this pool.</p>}
      {mine.length > 0 && (
        <table className="cards">
          <thead>
            <tr>
              <th>entry</th><th>kind</th><th>uri</th><th>registered</th><th className="num">weight</th><th className="num">owed</th>
              <th className="num">paid</th><th>last payout</th><th>attribution</th><th>payout account</th><th>actions</th>
            </tr>
          </thead>
          <tbody>
            {mine.map((c) => {
              const isMain = balances?.mainAccount === c.destination;
              return [
                <tr key={c.address} data-testid={`contribution-${c.entry}`}>
                  <td data-label="entry">{c.entry}</td>
                  <td data-label="kind">{c.kind}</td>
                  <td data-label="uri" title={c.contentHash}>{c.uri}</td>
                  <td data-label="registered" data-testid="registered">{when(c.registeredAt)}</td>
                  <td data-label="weight" className="num" data-testid="weight" title={`${c.weight} of ${pool?.pool.totalWeight ?? 0n}`}>
                    {formatShare(c.weight, pool?.pool.totalWeight ?? 0n)}
                  </td>
                  <td data-label="owed" className="num" data-testid="owed">{amount(c.owed)}</td>
                  <td data-label="paid" className="num" data-testid="paid">{amount(c.paid)}</td>
                  <td data-label="last payout" data-testid="last-payout">
                    {when(c.lastPayout)}
                    {c.history.length > 0 && (
                      <>
                        {' '}
                        <button
                          className="link"
                          data-testid="show-history"
                          aria-expanded={!!showHistory[c.address]}
                          onClick={() => setShowHistory((all) => ({ ...all, [c.address]: !all[c.address] }))}
                        >
                          {showHistory[c.address] ? 'hide chart' : 'chart'}
                        </button>
                      </>
                    )}
                  </td>
                  <td data-label="attribution">
                    {pool && pool.pool.epoch > 0n ? (
                      <span data-testid="report" title={toHex(Uint8Array.from(pool.pool.reportHash))}>
                        epoch {pool.pool.epoch.toString()} · report {toHex(Uint8Array.from(pool.pool.reportHash)).slice(0, 8)}…
                      </span>
                    ) : (
                      <span className="muted">no report yet</span>
                    )}{' '}
                    <label className="file-check" title="Check an attribution report file against the chain: read in this page, never uploaded">
                      check report
                      <input type="file" accept=".json,application/json" data-testid="check-report" onChange={(e) => onReport(c, e.target.files?.[0])} />
                    </label>
                    {reportChecks[c.address] && (
                      <div data-testid="report-check" className={reportChecks[c.address].ok ? 'ok' : 'error'}>
                        {reportChecks[c.address].text}
                      </div>
                    )}
                  </td>
                  <td data-label="payout account">
                    <a title={c.destination} href={explorerUrl(cfg, 'address', c.destination)} target="_blank" rel="noreferrer" data-testid="destination">
                      {isMain ? 'main account' : short(c.destination)}
                    </a>
                    {!isMain && (
                      <>
                        {' '}
                        <button
                          data-testid="pay-to-main"
                          title="Pay to your wallet's associated token account for this token (created if you have none)"
                          disabled={!ctx || !pool || tx.busy}
                          onClick={() => ctx && pool && tx.run('Payouts now go to your main account', () => changeDestination(ctx, pool, c, 'main'))}
                        >
                          Pay to my main account
                        </button>
                      </>
                    )}
                    <details>
                      <summary>another account…</summary>
                      <input
                        data-testid="new-destination"
                        aria-label="Another token account you own"
                        placeholder="token account address"
                        value={newDestination[c.address] ?? ''}
                        onChange={(e) => setNewDestination({ ...newDestination, [c.address]: e.target.value })}
                      />{' '}
                      <button
                        data-testid="change-destination"
                        disabled={!ctx || !pool || tx.busy || !newDestination[c.address]}
                        onClick={() => ctx && pool && tx.run('Payout account changed', () => changeDestination(ctx, pool, c, newDestination[c.address]))}
                      >
                        Change
                      </button>
                    </details>
                  </td>
                  <td data-label="actions">
                    <button data-testid="claim" disabled={!ctx || !pool || tx.busy || c.owed === 0n} onClick={() => ctx && pool && tx.run(`Claimed ${amount(c.owed)} ${symbol}`, () => claim(ctx, pool, c))}>
                      Claim
                    </button>{' '}
                    {c.status === 'active' ? (
                      <button
                        data-testid="retire"
                        title="No new revenue accrues; what it is owed stays yours to claim"
                        disabled={!ctx || !pool || tx.busy}
                        onClick={() => ctx && pool && tx.run('Retired', () => retire(ctx, pool, c))}
                      >
                        Retire
                      </button>
                    ) : (
                      <button
                        data-testid="close"
                        title={
                          c.owed > 0n
                            ? 'Claim what it is owed first'
                            : "Close the contribution and take its rent back, less its slot's share of a ledger page (the slot is never used again)"
                        }
                        disabled={!ctx || !pool || tx.busy || c.owed > 0n}
                        onClick={() => ctx && pool && tx.run(`Closed: ${formatSol(c.closeRefund)} SOL of rent returned`, () => closeContribution(ctx, pool, c))}
                      >
                        Close (+{formatSol(c.closeRefund)} SOL)
                      </button>
                    )}
                  </td>
                </tr>,
                showHistory[c.address] && (
                  <tr key={`${c.address}-chart`} className="chart-row">
                    <td colSpan={11}>
                      <Suspense fallback={chartFallback}>
                        <EarningsChart history={c.history} since={c.registeredAt} sharing={c.sharingPayoutAccount} decimals={decimals} symbol={symbol} />
                      </Suspense>
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      )}
      {mine.length > 0 && pool && (
        <StatementPanel mine={mine} owner={owner} indexerUrl={cfg.indexerUrl} pool={pool.address} mint={pool.pool.mint} decimals={decimals} symbol={symbol} />
      )}
    </section>
  );
}

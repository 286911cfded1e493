import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { address, createSolanaRpc, type Address } from '@solana/kit';
import { ContributionKind, isPaused, parseReport, poolAmounts, reportHash, reportWeightOf, TRIBUTARY_CONSTANTS } from '@tributary/client';
import { explorerUrl, loadConfig, type Config } from './config';
import { formatAmount, formatShare, formatSol, short, when } from './format';
import { formatLamports, quoteAt, type FeeQuote } from './fees';
import {
  associatedTokenAddress,
  changeDestination,
  checkCluster,
  closeContribution,
  claim,
  explain,
  listPools,
  loadMyContributions,
  loadPool,
  loadTokenInfo,
  register,
  registrationCost,
  retire,
  sha256,
  tokenBalance,
  type MyContribution,
  type PoolSummary,
  type PoolState,
  type RegistrationCost,
  type SendContext,
  type TokenInfo,
} from './chain';
import { StatementPanel } from './features/statement/ui/StatementPanel';
import { CrankBatchesPanel } from './features/batches/ui/CrankBatchesPanel';
import { SpreadPanel } from './features/spread/ui/SpreadPanel';
const PoolDaysPanel = lazy(() => import('./features/pool-days/ui/PoolDaysPanel').then((m) => ({ default: m.PoolDaysPanel })));
import { useLiveReload } from './live';
import { ConnectButton, DisconnectButton, SenderProvider, useSender, useWallet } from './wallet';

// the chart library loads with the first chart, not with the page
const EarningsChart = lazy(() => import('./charts').then((m) => ({ default: m.EarningsChart })));
const chartFallback = <p className="muted">Drawing…</p>;

/** This page's address with `?pool=` set (the cluster, RPC and program parameters kept). */
const withPool = (pool: string) => {
  const q = new URLSearchParams(window.location.search);
  q.set('pool', pool);
  return `?${q.toString()}`;
};
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const symbolOf = (t: TokenInfo | null, mint: string) => t?.symbol || short(mint);

type Message = { kind: 'ok' | 'error'; text: string; signature?: string } | null;
/** Each panel loads and fails on its own: one slow or failing read never blanks the others. */
type Panel = 'pool' | 'mine';
type PanelState = { loading: boolean; error: string | null };

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
  const rpc = useMemo(() => createSolanaRpc(cfg.rpcUrl), [cfg]);
  const { wallets, wallet, account, setAccount } = useWallet();
  const sender = useSender();
  /** The endpoint's genesis hash was compared with the selected cluster: 'ok' or 'mismatch'. */
  const [cluster, setCluster] = useState<'ok' | 'mismatch' | null>(null);
  const [pool, setPool] = useState<PoolState | null>(null);
  const [token, setToken] = useState<TokenInfo | null>(null);
  const [mine, setMine] = useState<MyContribution[]>([]);
  const [balances, setBalances] = useState<{ sol: bigint; token: bigint; mainAccount: Address } | null>(null);
  const [panels, setPanels] = useState<Record<Panel, PanelState>>({
    pool: { loading: true, error: null },
    mine: { loading: true, error: null },
  });
  const [message, setMessage] = useState<Message>(null);
  // the fee of the transaction being signed (shown before the wallet asks), and a pending choice
  // when the RPC suggests a price above the cap
  const [fee, setFee] = useState<FeeQuote | null>(null);
  const [feeChoice, setFeeChoice] = useState<{ quote: FeeQuote; resolve: (q: FeeQuote | null) => void } | null>(null);
  const [busy, setBusy] = useState(false);
  const [file, setFile] = useState<{ name: string; hash: Uint8Array } | null>(null);
  const [uri, setUri] = useState('');
  /** A new key empties the file input after a registration. */
  const [fileInputKey, setFileInputKey] = useState(0);
  const [kind, setKind] = useState<ContributionKind>(ContributionKind.Dataset);
  const [cost, setCost] = useState<RegistrationCost | null>(null);
  const [pageRentAgreed, setPageRentAgreed] = useState<number | null>(null);
  const [newDestination, setNewDestination] = useState<Record<string, string>>({});
  const [reportChecks, setReportChecks] = useState<Record<string, { ok: boolean; text: string }>>({});
  const [pools, setPools] = useState<(PoolSummary & { token: TokenInfo | null })[] | null>(null);
  const [showHistory, setShowHistory] = useState<Record<string, boolean>>({});
  const owner = account ? address(account.address) : null;
  const onError = useCallback((e: unknown) => setMessage({ kind: 'error', text: explain(e) }), []);

  // no pool given: list the program's pools once (one getProgramAccounts), each a link to its page
  useEffect(() => {
    if (cfg.pool) return;
    listPools(rpc, cfg)
      .then((list) => Promise.all(list.map(async (p) => ({ ...p, token: await loadTokenInfo(rpc, p.mint).catch(() => null) }))))
      .then(setPools, onError);
  }, [cfg, rpc, onError]);

  // the cluster is the RPC endpoint's (its genesis hash), whatever chains the wallet lists
  useEffect(() => {
    setCluster(null);
    if (!account) return;
    checkCluster(rpc, cfg).then(
      (mismatch) => {
        setCluster(mismatch ? 'mismatch' : 'ok');
        if (mismatch) setMessage({ kind: 'error', text: mismatch });
      },
      onError,
    );
  }, [account, rpc, cfg, onError]);

  const reload = useCallback(async () => {
    if (!cfg.pool) return true;
    const panel = async <T,>(name: Panel, load: () => Promise<T>, set: (v: T) => void): Promise<boolean> => {
      setPanels((all) => ({ ...all, [name]: { ...all[name], loading: true } }));
      try {
        set(await load());
        setPanels((all) => ({ ...all, [name]: { loading: false, error: null } }));
        return true;
      } catch (e) {
        setPanels((all) => ({ ...all, [name]: { loading: false, error: explain(e) } }));
        return false;
      }
    };
    const poolAddress = cfg.pool;
    let loaded: PoolState | null = null;
    const poolOk = await panel(
      'pool',
      () => loadPool(rpc, poolAddress),
      (p) => {
        loaded = p;
        setPool(p);
      },
    );
    if (!loaded) return false;
    const p: PoolState = loaded;
    const results = await Promise.all([
      // the token's name and symbol are a nicety: failing to read them fails nothing (the mint's
      // address is shown instead, and the next reload asks again)
      loadTokenInfo(rpc, p.pool.mint).then(setToken, () => setToken(null)).then(() => true),
      owner
        ? panel(
            'mine',
            async () => {
              const mainAccount = await associatedTokenAddress(owner, p.pool.mint, p.pool.tokenProgram);
              const [contributions, sol, tokens] = await Promise.all([
                loadMyContributions(rpc, cfg, p, owner),
                rpc.getBalance(owner, { commitment: 'confirmed' }).send(),
                tokenBalance(rpc, mainAccount, p.pool.tokenProgram),
              ]);
              return { contributions, balances: { sol: sol.value, token: tokens, mainAccount } };
            },
            ({ contributions, balances }) => {
              setMine(contributions);
              setBalances(balances);
            },
          )
        : Promise.resolve(true),
    ]);
    return poolOk && results.every(Boolean);
  }, [cfg, rpc, owner]);

  // reloads when the pool, or the wallet's main payout account, changes on chain, or a transaction
  // mentions the pool: subscriptions, no timer (see live.ts)
  const watch = useMemo(() => [cfg.pool, balances?.mainAccount].filter((a): a is Address => !!a), [cfg.pool, balances?.mainAccount]);
  const live = useLiveReload(cfg.wsUrl, watch, cfg.pool, reload);

  // what registering costs, and whether it would open a new ledger page (re-read when the pool grows)
  useEffect(() => {
    if (!pool || !owner) return setCost(null);
    let current = true;
    // after typing pauses: not a request per keystroke
    const timer = setTimeout(
      () => registrationCost(rpc, pool, owner, uri || 'ipfs://').then((c) => current && setCost(c), () => current && setCost(null)),
      300,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [rpc, pool, owner, uri]);

  const fees: SendContext['fees'] = useMemo(
    () => ({ show: setFee, choose: (quote) => new Promise<FeeQuote | null>((resolve) => setFeeChoice({ quote, resolve })) }),
    [],
  );
  const ctx: SendContext | null = sender && owner ? { rpc, cfg, payer: owner, sender, fees } : null;
  const decimals = pool?.pool.decimals ?? 0;
  const amount = (v: bigint) => formatAmount(v, decimals);
  const symbol = pool ? symbolOf(token, pool.pool.mint) : '';

  async function run(label: string, action: () => Promise<string>) {
    setBusy(true);
    setMessage(null);
    setFee(null);
    try {
      const signature = await action();
      setMessage({ kind: 'ok', text: `${label}: confirmed`, signature });
      await reload();
    } catch (e) {
      setMessage({ kind: 'error', text: explain(e) });
    } finally {
      setBusy(false);
      setFee(null);
      setFeeChoice(null);
    }
  }

  function decideFee(choice: FeeQuote | null) {
    feeChoice?.resolve(choice);
    setFeeChoice(null);
  }

  async function onFile(f: File | undefined) {
    setFile(f ? { name: f.name, hash: await sha256(f) } : null);
  }

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
      if (hash !== hex(Uint8Array.from(pool.pool.reportHash))) problems.push(`its hash ${hash.slice(0, 12)}… is not the report hash on chain`);
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

  const panelStatus = (name: Panel) =>
    panels[name].error ? (
      <p className="error" role="alert" data-testid={`${name}-error`}>
        Could not load: {panels[name].error}
      </p>
    ) : null;
  const pageRent = cost?.page ?? null;
  const needsConsent = pageRent !== null && pageRentAgreed !== pageRent.index;

  return (
    <>
      <header>
        <h1>Tributary</h1>
        <span className="badge" data-testid="cluster">{cfg.cluster}</span>
        {cfg.pool && (
          <span className="badge" data-testid="live" title="Updates arrive by subscription; without one the page polls">
            {live.mode === 'live' ? 'live' : live.mode === 'polling' ? 'polling' : 'connecting'}
          </span>
        )}
        {account && wallet ? (
          <span className="wallet">
            <span data-testid="connected" data-cluster={cluster ?? undefined} data-mode={sender?.mode}>
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
          wallets.map((w) => <ConnectButton key={w.name} wallet={w} onError={onError} />)
        )}
      </header>
      <main>
        {feeChoice && (
          <div className="consent" data-testid="fee-choice" role="alertdialog" aria-label="Priority fee above your cap">
            <p>
              The RPC endpoint suggests a priority fee of {feeChoice.quote.suggested.toLocaleString('en-US')} micro-lamports per compute unit,
              above this app's cap of {feeChoice.quote.cap.toLocaleString('en-US')}. At the suggestion this transaction costs{' '}
              <strong data-testid="fee-suggested-total">{formatLamports(quoteAt(feeChoice.quote, feeChoice.quote.suggested).total)}</strong> in fees; at
              the cap <strong data-testid="fee-cap-total">{formatLamports(quoteAt(feeChoice.quote, feeChoice.quote.cap).total)}</strong> (it may land
              later when the network is busy).
            </p>
            <button data-testid="fee-at-cap" onClick={() => decideFee(quoteAt(feeChoice.quote, feeChoice.quote.cap))}>
              Send at the cap
            </button>{' '}
            <button data-testid="fee-above-cap" onClick={() => decideFee(quoteAt(feeChoice.quote, feeChoice.quote.suggested))}>
              Pay the suggested fee
            </button>{' '}
            <button data-testid="fee-cancel" onClick={() => decideFee(null)}>
              Cancel
            </button>
          </div>
        )}
        {busy && fee && (
          <div className="message ok" data-testid="fee" role="status">
            <span>
              Network fee {formatLamports(fee.total)} ({formatLamports(fee.base)} base + {formatLamports(fee.priority)} priority at{' '}
              {fee.price.toString()} micro-lamports per compute unit): approve in your wallet.
            </span>
          </div>
        )}
        {message && (
          <div className={`message ${message.kind}`} data-testid="message" role="status">
            <span>
              {message.text}
              {message.signature && (
                <>
                  {' '}(<a data-testid="explorer-link" href={explorerUrl(cfg, 'tx', message.signature)} target="_blank" rel="noreferrer">view {short(message.signature)} in the explorer</a>)
                </>
              )}
            </span>
            <button className="dismiss" data-testid="dismiss" aria-label="Dismiss" onClick={() => setMessage(null)}>
              ×
            </button>
          </div>
        )}

        {!cfg.pool && (
          <section className="wide" data-testid="pools">
            <h2>Pools</h2>
            {pools === null && <p className="muted">Looking for pools…</p>}
            {pools?.length === 0 && <p>This program has no pools on {cfg.cluster} yet.</p>}
            {pools && pools.length > 0 && (
              <table data-testid="pool-list">
                <thead>
                  <tr><th>pool</th><th>token</th><th className="num">contributors</th><th className="num">deposited</th><th>state</th></tr>
                </thead>
                <tbody>
                  {pools.map((p) => (
                    <tr key={p.address}>
                      <td><a data-testid="pool-link" href={withPool(p.address)}>{short(p.address)}</a></td>
                      <td title={p.mint} data-testid="pool-token">{p.token?.symbol ? `${p.token.symbol}${p.token.name ? ` · ${p.token.name}` : ''}` : short(p.mint)}</td>
                      <td className="num">{p.contributors}</td>
                      <td className="num">{formatAmount(p.deposited, p.decimals)}</td>
                      <td>{p.paused ? 'paused' : 'active'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        )}

        {cfg.pool && (
          <section data-testid="pool" aria-busy={panels.pool.loading}>
            <h2>Pool</h2>
            {panelStatus('pool')}
            {!pool && panels.pool.loading && <p className="muted">Loading the pool…</p>}
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
        )}

        {cfg.pool && (
          <section data-testid="register-panel">
            <h2>Register a contribution</h2>
            {!account && <p className="muted">Connect your wallet to register and claim.</p>}
            <label htmlFor="file">File (hashed here with SHA-256; it never leaves your machine)</label>
            <input key={fileInputKey} id="file" data-testid="file" type="file" onChange={(e) => onFile(e.target.files?.[0])} />
            {file && <p className="hash" data-testid="file-hash">sha256 {hex(file.hash)}</p>}
            <label htmlFor="uri">Where it can be found (URI)</label>
            <input id="uri" data-testid="uri" value={uri} placeholder="ipfs://…" onChange={(e) => setUri(e.target.value)} className="full" />
            <label htmlFor="kind">Kind</label>
            <select id="kind" data-testid="kind" value={kind} onChange={(e) => setKind(Number(e.target.value))}>
              <option value={ContributionKind.Dataset}>Data set</option>
              <option value={ContributionKind.Model}>Model</option>
              <option value={ContributionKind.Compute}>Compute</option>
              <option value={ContributionKind.Other}>Other</option>
            </select>
            {cost && (
              <p className="muted" data-testid="register-cost">
                Rent you pay: {formatSol(cost.contribution)} SOL for the contribution account (back when you close it, less its slot's share of a ledger page)
                {cost.tokenAccount > 0n && `, ${formatSol(cost.tokenAccount)} SOL for your ${symbol} account`}
                {pageRent && pageRent.cost > 0n && `, ${formatSol(pageRent.cost)} SOL for a new ledger page`}, plus the fee.
              </p>
            )}
            {pageRent && (
              <div className="consent" data-testid="page-rent">
                <p>
                  {pageRent.index === 0 ? 'This pool has no ledger page yet.' : 'Every ledger page of this pool is full.'} Registering now opens page{' '}
                  {pageRent.index}. Its rent is {formatSol(pageRent.rent)} SOL, the rent of {TRIBUTARY_CONSTANTS.ENTRIES_PER_PAGE} contributions,
                  of which yours is one
                  {pageRent.fromFund > 0n && `; the pool's page fund (left by closed contributions) pays ${formatSol(pageRent.fromFund)} SOL of it back`}, so you
                  pay: <strong>{formatSol(pageRent.cost)} SOL</strong>. It comes back to you only when every contribution in the pool has closed and
                  its authority closes the page. Operators normally keep a spare page open; you can also wait for them to open one.
                </p>
                <label className="inline">
                  <input
                    type="checkbox"
                    data-testid="page-rent-consent"
                    checked={pageRentAgreed === pageRent.index}
                    onChange={(e) => setPageRentAgreed(e.target.checked ? pageRent.index : null)}
                  />{' '}
                  I agree to pay {formatSol(pageRent.cost)} SOL for ledger page {pageRent.index}
                </label>
              </div>
            )}{' '}
            <button
              data-testid="register"
              disabled={!ctx || !pool || !file || !uri || busy || needsConsent}
              onClick={() =>
                ctx &&
                pool &&
                file &&
                run('Registered', async () => {
                  const signature = await register(ctx, pool, file.hash, uri, kind, pageRentAgreed);
                  setFile(null);
                  setFileInputKey((k) => k + 1);
                  setUri('');
                  setPageRentAgreed(null);
                  return signature;
                })
              }
            >
              Register
            </button>
          </section>
        )}

        {cfg.pool && (
          <section className="wide" data-testid="mine" aria-busy={panels.mine.loading && !!account}>
            <h2>My contributions</h2>
            {account && panelStatus('mine')}
            {account && balances && (
              <p className="muted" data-testid="balances">
                Wallet: {(Number(balances.sol) / 1e9).toFixed(4)} SOL · <span data-testid="token-balance">{amount(balances.token)}</span> {symbol} in your main account
              </p>
            )}
            {!account && <p className="muted">Connect your wallet to see your contributions.</p>}
            {account && !panels.mine.loading && mine.length === 0 && !panels.mine.error && <p className="muted">None yet in this pool.</p>}
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
                            <span data-testid="report" title={hex(Uint8Array.from(pool.pool.reportHash))}>
                              epoch {pool.pool.epoch.toString()} · report {hex(Uint8Array.from(pool.pool.reportHash)).slice(0, 8)}…
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
                                disabled={!ctx || !pool || busy}
                                onClick={() => ctx && pool && run('Payouts now go to your main account', () => changeDestination(ctx, pool, c, 'main'))}
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
                              disabled={!ctx || !pool || busy || !newDestination[c.address]}
                              onClick={() => ctx && pool && run('Payout account changed', () => changeDestination(ctx, pool, c, newDestination[c.address]))}
                            >
                              Change
                            </button>
                          </details>
                        </td>
                        <td data-label="actions">
                          <button data-testid="claim" disabled={!ctx || !pool || busy || c.owed === 0n} onClick={() => ctx && pool && run(`Claimed ${amount(c.owed)} ${symbol}`, () => claim(ctx, pool, c))}>
                            Claim
                          </button>{' '}
                          {c.status === 'active' ? (
                            <button
                              data-testid="retire"
                              title="No new revenue accrues; what it is owed stays yours to claim"
                              disabled={!ctx || !pool || busy}
                              onClick={() => ctx && pool && run('Retired', () => retire(ctx, pool, c))}
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
                              disabled={!ctx || !pool || busy || c.owed > 0n}
                              onClick={() => ctx && pool && run(`Closed: ${formatSol(c.closeRefund)} SOL of rent returned`, () => closeContribution(ctx, pool, c))}
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
            {mine.length > 0 && pool && <StatementPanel mine={mine} owner={owner ?? null} indexerUrl={cfg.indexerUrl} pool={pool.address} mint={pool.pool.mint} decimals={decimals} symbol={symbol} />}
          </section>
        )}

        {cfg.pool && pool && <SpreadPanel rpcUrl={cfg.rpcUrl} rpc={rpc} pool={pool} />}

        {cfg.pool && cfg.indexerUrl && pool && (
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

        {cfg.pool && pool && (
          <CrankBatchesPanel
            cfg={cfg}
            rpc={rpc}
            pool={pool.address}
            version={poolAmounts(pool.pool).totalPaid.toString()}
            decimals={decimals}
            symbol={symbol}
          />
        )}
      </main>
    </>
  );
}


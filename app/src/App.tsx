import { useCallback, useEffect, useMemo, useState } from 'react';
import { address, createSolanaRpc, type Address } from '@solana/kit';
import { ContributionKind, isPaused, parseReport, poolAmounts, reportHash, reportWeightOf } from '@tributary/client';
import { explorerUrl, loadConfig } from './config';
import {
  associatedTokenAddress,
  changeDestination,
  checkCluster,
  closeContribution,
  claim,
  explain,
  loadCrankBatches,
  listPools,
  loadMyContributions,
  loadPool,
  register,
  retire,
  sha256,
  tokenBalance,
  type CrankBatchEvent,
  type MyContribution,
  type PoolSummary,
  type PoolState,
  type SendContext,
} from './chain';
import { connect, onAccountsChanged, watchWallets, type Wallet, type WalletAccount } from './wallet';

const REFRESH_MS = 4_000;

function formatAmount(value: bigint, decimals: number): string {
  const scale = 10n ** BigInt(decimals);
  const whole = value / scale;
  const frac = (value % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return frac ? `${whole.toLocaleString('en-US')}.${frac}` : whole.toLocaleString('en-US');
}

const short = (a: string) => `${a.slice(0, 4)}…${a.slice(-4)}`;
/** This page's address with `?pool=` set (the cluster, RPC and program parameters kept). */
const withPool = (pool: string) => {
  const q = new URLSearchParams(window.location.search);
  q.set('pool', pool);
  return `?${q.toString()}`;
};
/** Lamports as SOL, exactly (no float rounding): 0.00213 */
const formatSol = (lamports: bigint) => formatAmount(lamports, 9);
const when = (t: number | null) => (t ? new Date(t * 1000).toLocaleString() : '—');

type Message = { kind: 'ok' | 'error'; text: string; signature?: string } | null;

export function App() {
  const cfg = useMemo(() => loadConfig(), []);
  const rpc = useMemo(() => createSolanaRpc(cfg.rpcUrl), [cfg]);
  const [wallets, setWallets] = useState<Wallet[]>([]);
  const [wallet, setWallet] = useState<Wallet | null>(null);
  const [account, setAccount] = useState<WalletAccount | null>(null);
  /** The endpoint's genesis hash was compared with the selected cluster: 'ok' or 'mismatch'. */
  const [cluster, setCluster] = useState<'ok' | 'mismatch' | null>(null);
  const [pool, setPool] = useState<PoolState | null>(null);
  const [mine, setMine] = useState<MyContribution[]>([]);
  const [batches, setBatches] = useState<CrankBatchEvent[]>([]);
  const [balances, setBalances] = useState<{ sol: bigint; token: bigint } | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);
  const [file, setFile] = useState<{ name: string; hash: Uint8Array } | null>(null);
  const [uri, setUri] = useState('');
  const [kind, setKind] = useState<ContributionKind>(ContributionKind.Dataset);
  const [newDestination, setNewDestination] = useState<Record<string, string>>({});
  const [reportChecks, setReportChecks] = useState<Record<string, { ok: boolean; text: string }>>({});
  const [pools, setPools] = useState<PoolSummary[] | null>(null);

  useEffect(() => watchWallets(setWallets), []);
  // no pool given: list the program's pools once (one getProgramAccounts), each a link to its page
  useEffect(() => {
    if (cfg.pool) return;
    listPools(rpc, cfg).then(setPools, (e) => setMessage({ kind: 'error', text: explain(e) }));
  }, [cfg, rpc]);
  useEffect(() => (wallet ? onAccountsChanged(wallet, () => setAccount(wallet.accounts[0] ?? null)) : undefined), [wallet]);

  const refresh = useCallback(async () => {
    if (!cfg.pool) return;
    try {
      const p = await loadPool(rpc, cfg.pool);
      setPool(p);
      setBatches(await loadCrankBatches(rpc, p.address));
      if (account) {
        const owner = address(account.address);
        setMine(await loadMyContributions(rpc, cfg, p, owner));
        const ata = await associatedTokenAddress(owner, p.pool.mint, p.pool.tokenProgram);
        const { value: sol } = await rpc.getBalance(owner, { commitment: 'confirmed' }).send();
        setBalances({ sol, token: await tokenBalance(rpc, ata, p.pool.tokenProgram) });
      }
    } catch (e) {
      setMessage({ kind: 'error', text: explain(e) });
    }
  }, [cfg, rpc, account]);

  useEffect(() => {
    refresh();
    const id = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(id);
  }, [refresh]);

  const ctx: SendContext | null = wallet && account ? { rpc, cfg, wallet, account } : null;
  const decimals = pool?.pool.decimals ?? 0;
  const amount = (v: bigint) => formatAmount(v, decimals);

  async function run(label: string, action: () => Promise<string>) {
    setBusy(true);
    setMessage(null);
    try {
      const signature = await action();
      setMessage({ kind: 'ok', text: `${label}: confirmed`, signature });
      await refresh();
    } catch (e) {
      setMessage({ kind: 'error', text: explain(e) });
    } finally {
      setBusy(false);
    }
  }

  async function onConnect(w: Wallet) {
    setMessage(null);
    try {
      const a = await connect(w);
      setWallet(w);
      setAccount(a);
      // the cluster is the RPC endpoint's (its genesis hash), whatever chains the wallet lists
      const mismatch = await checkCluster(rpc, cfg);
      setCluster(mismatch ? 'mismatch' : 'ok');
      if (mismatch) setMessage({ kind: 'error', text: mismatch });
    } catch (e) {
      setMessage({ kind: 'error', text: explain(e) });
    }
  }

  async function onFile(f: File | undefined) {
    setFile(f ? { name: f.name, hash: await sha256(f) } : null);
  }

  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

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
        : { ok: true, text: `Matches the chain: epoch ${report.epoch}, weight ${weight} of ${report.total_weight}, from ${report.receipts} usage receipts` };
    } catch (e) {
      check = { ok: false, text: `Not a valid report: ${(e as Error).message}` };
    }
    setReportChecks((all) => ({ ...all, [c.address]: check }));
  }

  return (
    <>
      <header>
        <h1>Tributary</h1>
        <span className="badge" data-testid="cluster">{cfg.cluster}</span>
        {account ? (
          <span data-testid="connected" data-cluster={cluster ?? undefined}>{wallet?.name}: {short(account.address)}</span>
        ) : wallets.length === 0 ? (
          <span className="muted" style={{ color: '#cfe' }}>No Solana wallet found — install Phantom or another Wallet Standard wallet</span>
        ) : (
          wallets.map((w) => (
            <button key={w.name} data-testid={`connect-${w.name}`} onClick={() => onConnect(w)}>
              Connect {w.name}
            </button>
          ))
        )}
      </header>
      <main>
        {message && (
          <div className={`message ${message.kind}`} data-testid="message" role="status">
            <span>
              {message.text}
              {message.signature && (
                <>
                  {' '}(<a data-testid="explorer-link" href={explorerUrl(cfg, 'tx', message.signature)} target="_blank" rel="noreferrer">{short(message.signature)}</a>)
                </>
              )}
            </span>
            <button className="dismiss" data-testid="dismiss" aria-label="Dismiss" onClick={() => setMessage(null)}>
              ×
            </button>
          </div>
        )}

        <section data-testid="pool">
          <h2>Pool</h2>
          {!cfg.pool && pools === null && <p className="muted">Looking for pools…</p>}
          {!cfg.pool && pools?.length === 0 && <p>This program has no pools on {cfg.cluster} yet.</p>}
          {!cfg.pool && pools && pools.length > 0 && (
            <table data-testid="pool-list">
              <thead>
                <tr><th>pool</th><th>token</th><th className="num">contributors</th><th className="num">deposited</th><th>state</th></tr>
              </thead>
              <tbody>
                {pools.map((p) => (
                  <tr key={p.address}>
                    <td><a data-testid="pool-link" href={withPool(p.address)}>{short(p.address)}</a></td>
                    <td title={p.mint}>{short(p.mint)}</td>
                    <td className="num">{p.contributors}</td>
                    <td className="num">{formatAmount(p.deposited, p.decimals)}</td>
                    <td>{p.paused ? 'paused' : 'active'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {pool && (
            <dl>
              <dt>address</dt><dd>{pool.address}</dd>
              <dt>token</dt><dd>{pool.pool.mint}</dd>
              <dt>freeze authority</dt>
              <dd data-testid="pool-freeze-authority">
                {pool.freezeAuthority
                  ? `${pool.freezeAuthority} — can freeze the pool's vault, which would stop every claim and payout`
                  : 'none: the vault cannot be frozen'}
              </dd>
              <dt>state</dt><dd>{isPaused(pool.pool) ? 'paused' : 'active'}</dd>
              <dt>contributors</dt><dd data-testid="pool-contributors">{pool.contributors}</dd>
              <dt>total deposited</dt><dd data-testid="pool-deposited">{amount(poolAmounts(pool.pool).totalDeposited)}</dd>
              <dt>total paid</dt><dd data-testid="pool-paid">{amount(poolAmounts(pool.pool).totalPaid)}</dd>
            </dl>
          )}
        </section>

        <section>
          <h2>Register a contribution</h2>
          {!account && <p className="muted">Connect your wallet to register and claim.</p>}
          <label htmlFor="file">File (hashed here with SHA-256; it never leaves your machine)</label>
          <input id="file" data-testid="file" type="file" onChange={(e) => onFile(e.target.files?.[0])} />
          {file && <p className="hash" data-testid="file-hash">sha256 {hex(file.hash)}</p>}
          <label htmlFor="uri">Where it can be found (URI)</label>
          <input id="uri" data-testid="uri" value={uri} placeholder="ipfs://…" onChange={(e) => setUri(e.target.value)} style={{ width: '95%' }} />
          <label htmlFor="kind">Kind</label>
          <select id="kind" data-testid="kind" value={kind} onChange={(e) => setKind(Number(e.target.value))}>
            <option value={ContributionKind.Dataset}>Data set</option>
            <option value={ContributionKind.Model}>Model</option>
            <option value={ContributionKind.Compute}>Compute</option>
            <option value={ContributionKind.Other}>Other</option>
          </select>{' '}
          <button
            data-testid="register"
            disabled={!ctx || !pool || !file || !uri || busy}
            onClick={() => ctx && pool && file && run('Registered', () => register(ctx, pool, file.hash, uri, kind))}
          >
            Register
          </button>
        </section>

        <section className="wide" data-testid="mine">
          <h2>My contributions</h2>
          {account && balances && (
            <p className="muted" data-testid="balances">
              Wallet: {(Number(balances.sol) / 1e9).toFixed(4)} SOL · <span data-testid="token-balance">{amount(balances.token)}</span> tokens
            </p>
          )}
          {!account && <p className="muted">Connect your wallet to see your contributions.</p>}
          {account && mine.length === 0 && <p className="muted">None yet in this pool.</p>}
          {mine.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th>entry</th><th>kind</th><th>uri</th><th>registered</th><th className="num">weight</th><th className="num">owed</th>
                  <th className="num">paid</th><th>last payout</th><th>attribution</th><th>payout account</th><th></th>
                </tr>
              </thead>
              <tbody>
                {mine.map((c) => (
                  <tr key={c.address} data-testid={`contribution-${c.entry}`}>
                    <td>{c.entry}</td>
                    <td>{c.kind}</td>
                    <td title={c.contentHash}>{c.uri}</td>
                    <td data-testid="registered">{when(c.registeredAt)}</td>
                    <td className="num" data-testid="weight">{c.weight.toString()}</td>
                    <td className="num" data-testid="owed">{amount(c.owed)}</td>
                    <td className="num" data-testid="paid">{amount(c.paid)}</td>
                    <td data-testid="last-payout">{when(c.lastPayout)}</td>
                    <td>
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
                    <td>
                      <a title={c.destination} href={explorerUrl(cfg, 'address', c.destination)} target="_blank" rel="noreferrer">{short(c.destination)}</a>{' '}
                      <input
                        data-testid="new-destination"
                        placeholder="new token account"
                        value={newDestination[c.address] ?? ''}
                        onChange={(e) => setNewDestination({ ...newDestination, [c.address]: e.target.value })}
                      />
                      <button
                        data-testid="change-destination"
                        disabled={!ctx || !pool || busy || !newDestination[c.address]}
                        onClick={() => ctx && pool && run('Payout account changed', () => changeDestination(ctx, pool, c, newDestination[c.address] as Address))}
                      >
                        Change
                      </button>
                    </td>
                    <td>
                      <button data-testid="claim" disabled={!ctx || !pool || busy || c.owed === 0n} onClick={() => ctx && pool && run(`Claimed ${amount(c.owed)}`, () => claim(ctx, pool, c))}>
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
                          title={c.owed > 0n ? 'Claim what it is owed first' : 'Close the contribution and take its rent back'}
                          disabled={!ctx || !pool || busy || c.owed > 0n}
                          onClick={() => ctx && pool && run(`Closed: ${formatSol(c.rent)} SOL of rent returned`, () => closeContribution(ctx, pool, c))}
                        >
                          Close (+{formatSol(c.rent)} SOL)
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section className="wide" data-testid="batches">
          <h2>Recent crank batches</h2>
          {batches.length === 0 ? (
            <p className="muted">No crank batches yet.</p>
          ) : (
            <table>
              <thead>
                <tr><th>time</th><th>page</th><th className="num">payouts</th><th className="num">skipped</th><th className="num">amount</th><th className="num">cranker reward</th><th>cranker</th><th>tx</th></tr>
              </thead>
              <tbody>
                {batches.map((b) => (
                  <tr key={`${b.signature}-${b.page}`} data-testid="batch">
                    <td>{when(b.time)}</td><td>{b.page}</td><td className="num">{b.paid}</td><td className="num">{b.skipped}</td>
                    <td className="num">{amount(b.amount)}</td><td className="num">{amount(b.reward)}</td><td>{short(b.cranker)}</td>
                    <td><a href={explorerUrl(cfg, 'tx', b.signature)} target="_blank" rel="noreferrer">{short(b.signature)}</a></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </main>
    </>
  );
}

// Register a contribution: a file hashed in the page, where it can be found, its kind; what it
// costs, and the contributor's consent when registering opens a new ledger page.
import { useState } from 'react';
import type { Address } from '@solana/kit';
import { ContributionKind, toHex, TRIBUTARY_CONSTANTS } from '@tributary/client';
import { register, sha256, type PoolState, type Reads, type SendContext } from '../../../chain';
import { formatSol } from '../../../format';
import type { Transaction } from '../../transaction/data-access/use-transaction';
import { useRegistrationCost } from '../data-access/use-registration-cost';

type Props = { reads: Reads; pool: PoolState | undefined; owner: Address | null; ctx: SendContext | null; tx: Transaction; symbol: string };

export function RegisterPanel({ reads, pool, owner, ctx, tx, symbol }: Props) {
  const [file, setFile] = useState<{ name: string; hash: Uint8Array } | null>(null);
  const [uri, setUri] = useState('');
  /** A new key empties the file input after a registration. */
  const [fileInputKey, setFileInputKey] = useState(0);
  const [kind, setKind] = useState<ContributionKind>(ContributionKind.Dataset);
  const [pageRentAgreed, setPageRentAgreed] = useState<number | null>(null);
  const cost = useRegistrationCost(reads, pool, owner, uri).data ?? null;
  const pageRent = cost?.page ?? null;
  const needsConsent = pageRent !== null && pageRentAgreed !== pageRent.index;

  async function onFile(f: File | undefined) {
    setFile(f ? { name: f.name, hash: await sha256(f) } : null);
  }

  return (
    <section data-testid="register-panel">
      <h2>Register a contribution</h2>
      {!owner && <p className="muted">Connect your wallet to register and claim.</p>}
      <label htmlFor="file">File (hashed here with SHA-256; it never leaves your machine)</label>
      <input key={fileInputKey} id="file" data-testid="file" type="file" onChange={(e) => onFile(e.target.files?.[0])} />
      {file && <p className="hash" data-testid="file-hash">sha256 {toHex(file.hash)}</p>}
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
        disabled={!ctx || !pool || !file || !uri || tx.busy || needsConsent}
        onClick={() =>
          ctx &&
          pool &&
          file &&
          tx.run('Registered', async () => {
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
  );
}

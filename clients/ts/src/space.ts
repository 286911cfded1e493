// Account sizes the payer funds, from the generated codecs (so they follow the IDL).
import { getEncodedSize } from '@solana/kit';
import { getContributionEncoder, getLedgerPageSize, ContributionKind, ContributionStatus } from './generated';

const ANY = '11111111111111111111111111111111' as never;

/** Bytes of a Contribution account with this URI: register_contribution allocates exactly this. */
export function contributionSpace(uri: string): number {
  const value = {
    pool: ANY, contributor: ANY, contentHash: new Uint8Array(32), entry: 0,
    kind: ContributionKind.Dataset, status: ContributionStatus.Active, bump: 0, createdSlot: 0n, createdAt: 0n, uri,
  };
  return getEncodedSize(value, getContributionEncoder());
}

/** Bytes of a ledger page (84 entries). */
export const ledgerPageSpace = (): number => getLedgerPageSize();

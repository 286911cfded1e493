// Account sizes the payer funds, from the generated codecs (so they follow the IDL).
import { getEncodedSize } from '@solana/kit';
import { getContributionEncoder, getLedgerPageSize, ContributionKind, ContributionStatus } from './generated';
import { TRIBUTARY_CONSTANTS } from './idl-tables.generated';

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

/**
 * One slot's share of a ledger page whose rent is `pageRent` lamports, rounded up (the program's
 * `LedgerPage::slot_share`): what closing a contribution leaves in the pool's page fund, because
 * its slot is never used again.
 */
export const slotShare = (pageRent: bigint): bigint => {
  const entries = BigInt(TRIBUTARY_CONSTANTS.ENTRIES_PER_PAGE);
  return (pageRent + entries - 1n) / entries;
};

/** What opening the pool's next page costs its opener: the page's rent less what the pool's page
 * fund pays back (the program pays back min(fund, rent)). */
export const pageOpeningCost = (pageRent: bigint, pageFund: bigint): bigint =>
  pageRent - (pageFund < pageRent ? pageFund : pageRent);

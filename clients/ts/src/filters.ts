// `getProgramAccounts` filters for the program's accounts: each by its discriminator, a
// contribution by its pool and contributor. The offsets follow the generated layouts (the
// discriminator, then the fields in IDL order) and are checked against accounts the program wrote
// (test/litesvm.test.ts), so no caller keeps byte offsets of its own.
import {
  getAddressEncoder,
  getBase58Decoder,
  type Address,
  type Base58EncodedBytes,
  type GetProgramAccountsDatasizeFilter,
  type GetProgramAccountsMemcmpFilter,
  type ReadonlyUint8Array,
} from '@solana/kit';
import { getContributionDiscriminatorBytes, getPoolDiscriminatorBytes, getPoolSize } from './generated';

type Filter = GetProgramAccountsMemcmpFilter | GetProgramAccountsDatasizeFilter;

const memcmp = (offset: number, bytes: ReadonlyUint8Array): GetProgramAccountsMemcmpFilter => ({
  memcmp: { offset: BigInt(offset), bytes: getBase58Decoder().decode(bytes) as Base58EncodedBytes, encoding: 'base58' },
});
const ADDRESS_SIZE = 32;

/** Where a Contribution's fields start: `pool` right after the discriminator, then `contributor`. */
export const CONTRIBUTION_OFFSETS = { pool: 8, contributor: 8 + ADDRESS_SIZE } as const;

/** Every pool of the program: its size and its discriminator. */
export function poolFilters(): Filter[] {
  return [{ dataSize: BigInt(getPoolSize()) }, memcmp(0, getPoolDiscriminatorBytes())];
}

/** Contributions, of `pool` and/or by `contributor` (the discriminator too: a ledger page holds
 * its pool and its payer at the same offsets). */
export function contributionFilters({ pool, contributor }: { pool?: Address; contributor?: Address } = {}): Filter[] {
  const enc = getAddressEncoder();
  return [
    memcmp(0, getContributionDiscriminatorBytes()),
    ...(pool ? [memcmp(CONTRIBUTION_OFFSETS.pool, enc.encode(pool))] : []),
    ...(contributor ? [memcmp(CONTRIBUTION_OFFSETS.contributor, enc.encode(contributor))] : []),
  ];
}

// Every program-derived address of Tributary, from the seeds in programs/tributary/src/constants.rs.
import {
  getAddressEncoder,
  getProgramDerivedAddress,
  getU32Encoder,
  getU64Encoder,
  type Address,
  type ProgramDerivedAddress,
  type ReadonlyUint8Array,
} from '@solana/kit';
import { TRIBUTARY_PROGRAM_ADDRESS } from './generated';

/** Ledger entries per page (constants::ENTRIES_PER_PAGE). */
export const ENTRIES_PER_PAGE = 84;

const text = (s: string) => new TextEncoder().encode(s);
const address = getAddressEncoder();

export function findPoolPda(creator: Address, poolId: bigint | number, programAddress = TRIBUTARY_PROGRAM_ADDRESS): Promise<ProgramDerivedAddress> {
  return getProgramDerivedAddress({
    programAddress,
    seeds: [text('pool'), address.encode(creator), getU64Encoder().encode(BigInt(poolId))],
  });
}

// the vault PDA is in the IDL: findVaultPda({ pool }) is generated (src/generated/pdas)

export function findLedgerPagePda(pool: Address, page: number, programAddress = TRIBUTARY_PROGRAM_ADDRESS): Promise<ProgramDerivedAddress> {
  return getProgramDerivedAddress({
    programAddress,
    seeds: [text('ledger'), address.encode(pool), getU32Encoder().encode(page)],
  });
}

export function findContributionPda(
  pool: Address,
  contentHash: ReadonlyUint8Array,
  programAddress = TRIBUTARY_PROGRAM_ADDRESS,
): Promise<ProgramDerivedAddress> {
  if (contentHash.length !== 32) throw new Error('content hash must be 32 bytes (SHA-256)');
  return getProgramDerivedAddress({ programAddress, seeds: [text('contribution'), address.encode(pool), contentHash] });
}

/** The ledger page holding global entry `entry`. */
export const pageOf = (entry: number): number => Math.floor(entry / ENTRIES_PER_PAGE);

/** The ledger page account holding `entry`. */
export async function findLedgerPageOfEntry(pool: Address, entry: number, programAddress = TRIBUTARY_PROGRAM_ADDRESS): Promise<Address> {
  return (await findLedgerPagePda(pool, pageOf(entry), programAddress))[0];
}

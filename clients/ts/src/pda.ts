// Tributary's program-derived addresses. The finders (findPoolPda, findLedgerPagePda,
// findContributionPda, findVaultPda) are generated from the seeds declared once in
// scripts/generate.mjs (as programs/tributary/src/constants.rs has them); here, which page an entry is on.
import type { Address } from '@solana/kit';
import { findLedgerPagePda, TRIBUTARY_PROGRAM_ADDRESS } from './generated';
import { TRIBUTARY_CONSTANTS } from './idl-tables.generated';

/** Ledger entries per page (constants::ENTRIES_PER_PAGE, as the IDL states it). */
export const ENTRIES_PER_PAGE: number = TRIBUTARY_CONSTANTS.ENTRIES_PER_PAGE;

/** The ledger page holding global entry `entry`. */
export const pageOf = (entry: number): number => Math.floor(entry / ENTRIES_PER_PAGE);

/** The ledger page account holding `entry`. */
export async function findLedgerPageOfEntry(pool: Address, entry: number, programAddress = TRIBUTARY_PROGRAM_ADDRESS): Promise<Address> {
  return (await findLedgerPagePda({ pool, page: pageOf(entry) }, { programAddress }))[0];
}

// The crank names each payout's destination as a remaining account, in entry order: the one
// thing the IDL cannot describe, so it is added here around the generated builder.
import { AccountRole, type Address, type Instruction, type TransactionSigner } from '@solana/kit';
import { getCrankInstructionAsync } from './generated';

export type Payout = { entry: number; destination: Address };

const TOKEN_2022_PROGRAM = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb' as Address;

export async function getCrankWithPayoutsInstruction(input: {
  cranker: TransactionSigner;
  pool: Address;
  vault: Address;
  tokenProgram: Address;
  page: number;
  payouts: Payout[];
  /** true: one `batch` CPI (p-token's, or Token-2022's from v11: needs `mint`); false:
   * transfer_checked each (needs `mint`). */
  batch: boolean;
  mint?: Address;
  rewardAccount?: Address;
}): Promise<Instruction> {
  // the page's account and the vault derived by the generated builder
  const base = await getCrankInstructionAsync({
    cranker: input.cranker,
    pool: input.pool,
    page: input.page,
    vault: input.vault,
    tokenProgram: input.tokenProgram,
    // transfer_checked names the mint: Token-2022 in either mode, p-token one at a time
    mint: input.batch && input.tokenProgram !== TOKEN_2022_PROGRAM ? undefined : input.mint,
    rewardAccount: input.rewardAccount,
    entries: input.payouts.map((p) => p.entry),
    batch: input.batch,
  });
  return {
    ...base,
    accounts: [
      ...(base.accounts ?? []),
      ...input.payouts.map((p) => ({ address: p.destination, role: AccountRole.WRITABLE })),
    ],
  };
}

// The crank names each payout's destination as a remaining account, in entry order: the one
// thing the IDL cannot describe, so it is added here around the generated builder.
import { AccountRole, type Address, type Instruction, type TransactionSigner } from '@solana/kit';
import { getCrankInstructionAsync } from './generated';

export type Payout = { entry: number; destination: Address };

export async function getCrankWithPayoutsInstruction(input: {
  cranker: TransactionSigner;
  pool: Address;
  vault: Address;
  tokenProgram: Address;
  page: number;
  payouts: Payout[];
  /** true: one p-token `batch` CPI (classic SPL Token); false: transfer_checked each (needs `mint`). */
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
    mint: input.batch ? undefined : input.mint,
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

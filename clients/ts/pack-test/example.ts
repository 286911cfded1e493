// What a front-end team writes after `npm install @tributary/client`: the published package
// (dist/index.js + dist/index.d.ts only), type-checked under NodeNext, driving the real program
// build in LiteSVM: a pool, a contribution, a weight, a deposit, then the client's owed math and
// a claim that pays exactly that. Run by scripts/pack-test.mjs in a scratch project.
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  generateKeyPairSigner,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Address,
  type Instruction,
  type KeyPairSigner,
} from '@solana/kit';
import { FailedTransactionMetadata, LiteSVM } from 'litesvm';
import { getCreateAccountInstruction } from '@solana-program/system';
import {
  decodeToken,
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstructionAsync,
  getInitializeMint2Instruction,
  getMintToInstruction,
  TOKEN_PROGRAM_ADDRESS,
} from '@solana-program/token';
import {
  ContributionKind,
  decodeLedgerPage,
  decodePool,
  entryOfPage,
  findContributionPda,
  findLedgerPagePda,
  findPoolPda,
  getClaimInstructionAsync,
  getCreatePoolInstructionAsync,
  getDepositInstructionAsync,
  getOpenLedgerPageInstructionAsync,
  getRegisterContributionInstructionAsync,
  getSetWeightsInstructionAsync,
  owedNow,
  TRIBUTARY_PROGRAM_ADDRESS,
  type Pool,
} from '@tributary/client';

const so = process.argv[2];
if (!so) throw new Error('usage: node example.js path/to/tributary.so');
const svm = new LiteSVM();
svm.addProgramFromFile(TRIBUTARY_PROGRAM_ADDRESS as never, so);

async function send(payer: KeyPairSigner, ixs: Instruction[]): Promise<void> {
  const tx = await pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: svm.latestBlockhash() as never, lastValidBlockHeight: 0n }, m),
    (m) => appendTransactionMessageInstructions(ixs, m),
    (m) => signTransactionMessageWithSigners(m),
  );
  // litesvm's npm build types transactions with its own copy of @solana/kit
  const result = svm.sendTransaction(tx as never);
  svm.expireBlockhash();
  if (result instanceof FailedTransactionMetadata) throw new Error(`${result.err()}\n${result.meta().logs().join('\n')}`);
}
const account = (a: Address) => {
  const acc = svm.getAccount(a as never);
  if (!acc.exists) throw new Error(`no account ${a}`);
  return acc as never;
};

const [creator, attestor, contributor, mint] = await Promise.all([1, 2, 3, 4].map(() => generateKeyPairSigner()));
for (const k of [creator, attestor, contributor]) svm.airdrop(k.address as never, lamports(10_000_000_000n) as never);
const [creatorAta] = await findAssociatedTokenPda({ owner: creator.address, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS });
const [contributorAta] = await findAssociatedTokenPda({ owner: contributor.address, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS });
await send(creator, [
  getCreateAccountInstruction({ payer: creator, newAccount: mint, lamports: svm.minimumBalanceForRentExemption(82n), space: 82n, programAddress: TOKEN_PROGRAM_ADDRESS }) as Instruction,
  getInitializeMint2Instruction({ mint: mint.address, decimals: 6, mintAuthority: creator.address }) as Instruction,
  (await getCreateAssociatedTokenIdempotentInstructionAsync({ payer: creator, owner: creator.address, mint: mint.address })) as Instruction,
  getMintToInstruction({ mint: mint.address, token: creatorAta, mintAuthority: creator, amount: 10_000_000_000n }) as Instruction,
  (await getCreateAssociatedTokenIdempotentInstructionAsync({ payer: creator, owner: contributor.address, mint: mint.address })) as Instruction,
]);

// the async builders derive the pool, its vault, the ledger page (from its index) and the
// contribution (from its content hash)
const [pool] = await findPoolPda({ creator: creator.address, poolId: 1n });
const [page0] = await findLedgerPagePda({ pool, page: 0 });
await send(creator, [
  await getCreatePoolInstructionAsync({ creator, mint: mint.address, poolId: 1n, attestor: attestor.address, crankerRewardBps: 0, minPayout: 1n }),
  await getOpenLedgerPageInstructionAsync({ payer: creator, pool, page: 0 }),
]);
const contentHash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('a data set')));
const [contribution] = await findContributionPda({ pool, contentHash });
await send(contributor, [
  await getRegisterContributionInstructionAsync({ contributor, pool, page: 0, destination: contributorAta, contentHash, kind: ContributionKind.Dataset, uri: 'ipfs://bafy/dataset' }),
]);
await send(attestor, [
  await getSetWeightsInstructionAsync({ attestor, pool, page: 0, epoch: 1n, reportHash: new Uint8Array(32), updates: [{ entry: 0, weight: 3n }] }),
]);
await send(creator, [await getDepositInstructionAsync({ depositor: creator, pool, mint: mint.address, depositorToken: creatorAta, amount: 1_000_000_007n })]);

const state: Pool = decodePool(account(pool)).data;
const entry = entryOfPage(decodeLedgerPage(account(page0)).data, 0);
if (!entry) throw new Error('entry 0 missing');
const owed = owedNow(entry, state);
await send(contributor, [
  await getClaimInstructionAsync({ contributor, contribution, pool, page: 0, mint: mint.address, destination: contributorAta }),
]);
const received = decodeToken(account(contributorAta)).data.amount;
if (owed !== 1_000_000_006n || received !== owed) throw new Error(`owed ${owed}, received ${received}`);
console.log(JSON.stringify({ ok: true, pool, owed: owed.toString(), received: received.toString() }));

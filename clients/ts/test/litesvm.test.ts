// The generated client driving the real sBPF build (target/deploy/tributary.so) in LiteSVM from
// npm: create a pool, register a contribution (content hashed with WebCrypto's SHA-256), post a
// weight, deposit, decode the accounts, check owed with the client's math, claim, crank.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  generateKeyPairSigner,
  getBase58Encoder,
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
  decodeContribution,
  decodeLedgerPage,
  decodePool,
  isPaused,
  pendingAuthorityOf,
  poolAmounts,
  entryOfPage,
  findContributionPda,
  findLedgerPagePda,
  findPoolPda,
  findVaultPda,
  getClaimInstruction,
  getClaimInstructionAsync,
  getCrankWithPayoutsInstruction,
  getCreatePoolInstruction,
  getCreatePoolInstructionAsync,
  getDepositInstruction,
  getDepositInstructionAsync,
  getOpenLedgerPageInstruction,
  getOpenLedgerPageInstructionAsync,
  getRegisterContributionInstruction,
  getRegisterContributionInstructionAsync,
  getSetWeightsInstruction,
  getSetWeightsInstructionAsync,
  contributionSpace,
  ledgerPageSpace,
  owedNow,
  getCloseContributionInstruction,
  getRetireContributionInstruction,
  PoolView,
  TRIBUTARY_PROGRAM_ADDRESS,
  decodeTributaryEventsFromLogs,
  tributaryErrorOf,
  buildReport,
  canonicalReceipt,
  fromHex,
  getAttributeUsageByScoresInstructions,
  parseReceipt,
  reportHash,
  reportProblems,
  reportWeightOf,
  scoresOf,
  type LedgerEntry,
  contributionFilters,
} from '../src';

const so = fileURLToPath(new URL('../../../target/deploy/tributary.so', import.meta.url));

describe('client against the sBPF build in LiteSVM', () => {
  let svm: LiteSVM;
  let creator: KeyPairSigner, attestor: KeyPairSigner, contributor: KeyPairSigner, cranker: KeyPairSigner, mint: KeyPairSigner;

  async function send(payer: KeyPairSigner, ixs: Instruction[]) {
    const tx = await pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: svm.latestBlockhash() as any, lastValidBlockHeight: 0n }, m),
      (m) => appendTransactionMessageInstructions(ixs, m),
      (m) => signTransactionMessageWithSigners(m),
    );
    const result = svm.sendTransaction(tx as any);
    svm.expireBlockhash();
    if (result instanceof FailedTransactionMetadata) {
      throw new Error(`${result.err()}\n${result.meta().logs().join('\n')}`);
    }
    return result;
  }

  const account = (a: Address) => {
    const acc = svm.getAccount(a as any);
    if (!acc.exists) throw new Error(`no account ${a}`);
    return acc as any;
  };
  const tokenBalance = (a: Address) => decodeToken(account(a)).data.amount;

  beforeAll(async () => {
    expect(existsSync(so), `${so} missing: scripts/build-sbf`).toBe(true);
    svm = new LiteSVM();
    svm.addProgramFromFile(TRIBUTARY_PROGRAM_ADDRESS as any, so);
    [creator, attestor, contributor, cranker, mint] = await Promise.all([1, 2, 3, 4, 5].map(() => generateKeyPairSigner()));
    for (const k of [creator, attestor, contributor, cranker]) svm.airdrop(k.address as any, lamports(10_000_000_000n) as any);
  });

  it('runs a pool through register, weights, deposit, claim and crank', async () => {
    // a classic SPL mint (6 decimals) and the creator's tokens
    const rent = svm.minimumBalanceForRentExemption(82n);
    const [creatorAta] = await findAssociatedTokenPda({ owner: creator.address, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS } as any);
    await send(creator, [
      getCreateAccountInstruction({ payer: creator, newAccount: mint, lamports: rent, space: 82n, programAddress: TOKEN_PROGRAM_ADDRESS } as any) as any,
      getInitializeMint2Instruction({ mint: mint.address, decimals: 6, mintAuthority: creator.address } as any) as any,
      (await getCreateAssociatedTokenIdempotentInstructionAsync({ payer: creator, owner: creator.address, mint: mint.address } as any)) as any,
      getMintToInstruction({ mint: mint.address, token: creatorAta, mintAuthority: creator, amount: 10_000_000_000n } as any) as any,
      (await getCreateAssociatedTokenIdempotentInstructionAsync({ payer: creator, owner: contributor.address, mint: mint.address } as any)) as any,
    ]);
    const [contributorAta] = await findAssociatedTokenPda({ owner: contributor.address, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS } as any);

    // the pool and its first ledger page: the async builders derive the pool, vault, page and
    // contribution accounts (Codama PDA defaults); the real program accepting them checks the seeds
    const [pool] = await findPoolPda({ creator: creator.address, poolId: 1n });
    const [vault] = await findVaultPda({ pool });
    const [page0] = await findLedgerPagePda({ pool, page: 0 });
    const createPool = await getCreatePoolInstructionAsync({ creator, mint: mint.address, poolId: 1n, attestor: attestor.address, crankerRewardBps: 0, minPayout: 1n });
    expect([createPool.accounts[1].address, createPool.accounts[3].address]).toEqual([pool, vault]);
    await send(creator, [createPool, await getOpenLedgerPageInstructionAsync({ payer: creator, pool, page: 0 })]);

    // register: the content is hashed here, only the hash goes on chain
    const contentHash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('a data set')));
    const [contribution] = await findContributionPda({ pool, contentHash });
    await send(contributor, [
      await getRegisterContributionInstructionAsync({
        contributor, pool, page: 0, destination: contributorAta, contentHash, kind: ContributionKind.Dataset, uri: 'ipfs://bafy/dataset',
      }),
    ]);
    // the sizes the client tells payers to fund are the sizes the program allocates
    expect(account(contribution).data.length).toBe(contributionSpace('ipfs://bafy/dataset'));
    expect(account(page0).data.length).toBe(ledgerPageSpace());
    const c = decodeContribution(account(contribution)).data;
    expect(c.contributor).toBe(contributor.address);
    expect(Buffer.from(c.contentHash)).toEqual(Buffer.from(contentHash));
    expect(c.entry).toBe(0);
    // the getProgramAccounts filters match the account the program wrote, byte for byte
    const filters = contributionFilters({ pool, contributor: contributor.address });
    expect(filters).toHaveLength(3);
    for (const f of filters) {
      if (!('memcmp' in f)) throw new Error('a memcmp filter');
      const bytes = getBase58Encoder().encode(f.memcmp.bytes);
      const at = Number(f.memcmp.offset);
      expect(Buffer.from(account(contribution).data.subarray(at, at + bytes.length))).toEqual(Buffer.from(bytes));
    }
    const other = contributionFilters({ contributor: attestor.address })[1];
    if (!('memcmp' in other)) throw new Error('a memcmp filter');
    const otherAt = Number(other.memcmp.offset);
    expect(Buffer.from(account(contribution).data.subarray(otherAt, otherAt + 32))).not.toEqual(Buffer.from(getBase58Encoder().encode(other.memcmp.bytes)));

    await send(attestor, [
      await getSetWeightsInstructionAsync({ attestor, pool, page: 0, epoch: 1n, reportHash: new Uint8Array(32), updates: [{ entry: 0, weight: 3n }] }),
    ]);
    await send(creator, [await getDepositInstructionAsync({ depositor: creator, pool, mint: mint.address, depositorToken: creatorAta, amount: 1_000_000_007n })]);

    // decoded state and the client's owed math: the only contributor earns the whole deposit; the
    // last base unit is split three ways (weight 3), so it waits as fractions in carry and frac
    let p = decodePool(account(pool)).data;
    expect(poolAmounts(p).totalDeposited).toBe(1_000_000_007n);
    expect(isPaused(p)).toBe(false);
    expect(pendingAuthorityOf(p)).toBeNull();
    let entry = entryOfPage(decodeLedgerPage(account(page0)).data, 0)!;
    expect(entry.weight).toBe(3n);
    expect(owedNow(entry, p)).toBe(1_000_000_006n);

    // claim pays exactly that
    await send(contributor, [
      await getClaimInstructionAsync({ contributor, contribution, pool, page: 0, mint: mint.address, destination: contributorAta }),
    ]);
    expect(tokenBalance(contributorAta)).toBe(1_000_000_006n);

    // more revenue, streamed by the crank (p-token batch) with the destination as remaining account
    await send(creator, [getDepositInstruction({ depositor: creator, pool, mint: mint.address, vault, depositorToken: creatorAta, amount: 500n })]);
    p = decodePool(account(pool)).data;
    entry = entryOfPage(decodeLedgerPage(account(page0)).data, 0)!;
    const owed = owedNow(entry, p);
    expect(owed).toBe(500n);
    const cranked = await send(cranker, [
      await getCrankWithPayoutsInstruction({
        cranker, pool, vault, tokenProgram: TOKEN_PROGRAM_ADDRESS as Address, page: 0, batch: true,
        payouts: [{ entry: 0, destination: contributorAta }],
      }),
    ]);
    expect(tokenBalance(contributorAta)).toBe(1_000_000_006n + owed);
    // the program's event, decoded from the logs with the client's IDL-generated decoders
    const events = decodeTributaryEventsFromLogs(cranked.logs());
    const batch = events.find((e) => e.name === 'CrankBatch');
    expect(batch?.name).toBe('CrankBatch');
    if (batch?.name === 'CrankBatch') {
      expect(batch.data).toMatchObject({ pool, page: 0, cranker: cranker.address, paid: 1, skipped: 0, amount: owed, reward: 0n });
    }
    // only Tributary's own lines count: the same bytes logged by another program, at the top level
    // or called by Tributary, are not its events, and nothing after a truncation is read
    const data = cranked.logs().find((l) => l.startsWith('Program data: '))!;
    const own = TRIBUTARY_PROGRAM_ADDRESS;
    const evil = 'Evi1111111111111111111111111111111111111111';
    const token = TOKEN_PROGRAM_ADDRESS;
    const count = (logs: string[]) => decodeTributaryEventsFromLogs(logs).length;
    expect(count([`Program ${evil} invoke [1]`, data, `Program ${evil} success`])).toBe(0);
    expect(count([`Program ${own} invoke [1]`, `Program ${evil} invoke [2]`, data, `Program ${evil} success`, `Program ${own} success`])).toBe(0);
    expect(count([`Program ${own} invoke [1]`, `Program ${token} invoke [2]`, `Program ${token} success`, data, `Program ${own} success`])).toBe(1);
    expect(count([`Program ${evil} invoke [1]`, `Program ${own} invoke [2]`, data, `Program ${own} success`, data, `Program ${evil} success`])).toBe(1);
    expect(count([`Program ${own} invoke [1]`, 'Log truncated', data])).toBe(0);
    expect(count([data])).toBe(0);
    // and the error table names the program's errors in production bundles too
    expect(tributaryErrorOf(6000)).toEqual({ code: 6000, name: 'PoolPaused', message: 'the pool is paused' });
    expect(tributaryErrorOf(1)).toBeUndefined();
    p = decodePool(account(pool)).data;
    expect(poolAmounts(p).totalPaid).toBe(1_000_000_506n);
    // the vault holds exactly the fractions still owed: vault × 2⁶⁴ = entry frac + pool carry
    entry = entryOfPage(decodeLedgerPage(account(page0)).data, 0)!;
    expect(tokenBalance(vault) << 64n).toBe(entry.frac + p.carry + (p.held << 64n));
    expect(tokenBalance(vault)).toBe(1n);
  });

  // LedgerPage.liveEntries counts live entries: a reader that took it for the slots in use lost the
  // page's highest entry once a contribution closed, and its payouts stopped
  it('still sees and cranks every other entry of a page after a contribution closes', async () => {
    const [pool] = await findPoolPda({ creator: creator.address, poolId: 1n });
    const [vault] = await findVaultPda({ pool });
    const [page0] = await findLedgerPagePda({ pool: pool, page: 0 });
    const [creatorAta] = await findAssociatedTokenPda({ owner: creator.address, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS } as any);
    // two more contributors: entries 1 and 2
    const members: { signer: KeyPairSigner; ata: Address; contribution: Address }[] = [];
    for (const name of ['model b', 'compute c']) {
      const signer = await generateKeyPairSigner();
      svm.airdrop(signer.address as any, lamports(10_000_000_000n) as any);
      await send(creator, [(await getCreateAssociatedTokenIdempotentInstructionAsync({ payer: creator, owner: signer.address, mint: mint.address } as any)) as any]);
      const [ata] = await findAssociatedTokenPda({ owner: signer.address, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS } as any);
      const contentHash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(name)));
      const [contribution] = await findContributionPda({ pool: pool, contentHash: contentHash });
      await send(signer, [
        getRegisterContributionInstruction({ contributor: signer, pool, ledgerPage: page0, page: 0, contribution, destination: ata, contentHash, kind: ContributionKind.Model, uri: `ipfs://${name}` }),
      ]);
      members.push({ signer, ata, contribution });
    }
    await send(attestor, [
      getSetWeightsInstruction({ attestor, pool, ledgerPage: page0, page: 0, epoch: 2n, reportHash: new Uint8Array(32), updates: [{ entry: 0, weight: 1n }, { entry: 1, weight: 1n }, { entry: 2, weight: 1n }] }),
    ]);
    // entry 1 retires, claims and closes
    const [b] = members;
    await send(b.signer, [getRetireContributionInstruction({ contributor: b.signer, contribution: b.contribution, pool, ledgerPage: page0, page: 0 } as any)]);
    await send(b.signer, [getCloseContributionInstruction({ contributor: b.signer, contribution: b.contribution, pool, ledgerPage: page0, page: 0 } as any)]);
    await send(creator, [getDepositInstruction({ depositor: creator, pool, mint: mint.address, vault, depositorToken: creatorAta, amount: 2_000n })]);

    const view = new PoolView(pool, decodePool(account(pool)).data, [decodeLedgerPage(account(page0)).data]);
    expect(view.pages[0]!.liveEntries).toBe(2); // entries 0 and 2 live
    expect(view.entries().map((e) => e.index)).toEqual([0, 1, 2]);
    expect(entryOfPage(view.pages[0]!, 2)).toBeDefined();
    const due = view.entries().filter((e) => e.owed > 0n);
    expect(due.map((e) => [e.index, e.owed])).toEqual([[0, 1_000n], [2, 1_000n]]);
    await send(cranker, [
      await getCrankWithPayoutsInstruction({
        cranker, pool, vault, tokenProgram: TOKEN_PROGRAM_ADDRESS as Address, page: 0, batch: true,
        payouts: due.map((e) => ({ entry: e.index, destination: e.entry.destination })),
      }),
    ]);
    expect(tokenBalance(members[1].ata)).toBe(1_000n);
    const after = new PoolView(pool, decodePool(account(pool)).data, [decodeLedgerPage(account(page0)).data]);
    expect(after.totalOwed()).toBe(0n);
  });

  it('surfaces the program error by name', async () => {
    const [pool] = await findPoolPda({ creator: creator.address, poolId: 1n });
    const [page0] = await findLedgerPagePda({ pool: pool, page: 0 });
    // the contributor is not the attestor
    await expect(
      send(contributor, [
        getSetWeightsInstruction({ attestor: contributor, pool, ledgerPage: page0, page: 0, epoch: 2n, reportHash: new Uint8Array(32), updates: [{ entry: 0, weight: 1n }] }),
      ]),
    ).rejects.toThrow(/NotAttestor/);
  });

  // the browser's and a service's side of ATTESTATION.md against the program: a report built from
  // receipts, posted, verified against the decoded pool; a weight moved under the same hash named;
  // a usage fee paid by score lands whole
  it('verifies an attribution report against the pool and pays a usage fee by score', async () => {
    const [pool] = await findPoolPda({ creator: creator.address, poolId: 1n });
    const [vault] = await findVaultPda({ pool });
    const [page0] = await findLedgerPagePda({ pool: pool, page: 0 });
    const [creatorAta] = await findAssociatedTokenPda({ owner: creator.address, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS } as any);
    const receipt = (id: string, uses: [number, string][]) =>
      canonicalReceipt({ v: 1, id, time: 1_764_520_000, pool, consumer: 'app', kind: 'inference', uses: uses.map(([entry, score]) => ({ entry, score })) });
    // entry 1 closed in the test above: scored here, counted as 0 on chain
    const lines = [receipt('r1', [[0, '0.75'], [2, '0.25']]), receipt('r2', [[2, '0.5'], [1, '0.3']])];
    const epoch = decodePool(account(pool)).data.epoch + 1n;
    const report = await buildReport(lines, pool, Number(epoch));
    const hash = fromHex(await reportHash(report));
    const post = (updates: { entry: number; weight: bigint }[]) =>
      send(attestor, [getSetWeightsInstruction({ attestor, pool, ledgerPage: page0, page: 0, epoch, reportHash: hash, updates })]);
    await post([0, 2].map((entry) => ({ entry, weight: BigInt(reportWeightOf(report, entry)) })));
    const problems = () => {
      const view = new PoolView(pool, decodePool(account(pool)).data, [decodeLedgerPage(account(page0)).data]);
      return reportProblems(report, pool, view.pool, view.entries().map((e) => [e.index, e.entry] as [number, LedgerEntry]));
    };
    expect(await problems()).toEqual([]);
    await post([{ entry: 2, weight: 1n }]);
    expect(await problems()).toEqual([`entry 2: weight 1 on chain, ${reportWeightOf(report, 2)} in the report`]);

    const before = tokenBalance(vault);
    const scores = scoresOf(lines.map((l, i) => parseReceipt(l, i + 1)));
    const ixs = await getAttributeUsageByScoresInstructions({ payer: creator, pool, mint: mint.address, vault, payerToken: creatorAta, fee: 1_001n, scores });
    await send(creator, ixs);
    expect(tokenBalance(vault) - before).toBe(1_001n);
  });
});

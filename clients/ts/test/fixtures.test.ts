// The generated client builds the same instructions, byte for byte and account for account, as
// the Rust SDK (fixtures.json is written by `cargo run -p tributary-tests --bin client-fixtures`
// and kept current by a Rust test); PDAs and owed amounts agree with the program's own code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { address, createNoopSigner, type Address, type Instruction } from '@solana/kit';
import {
  ContributionKind,
  findContributionPda,
  findLedgerPagePda,
  findPoolPda,
  findVaultPda,
  getAttributeUsageInstructionAsync,
  getClaimInstructionAsync,
  getCrankWithPayoutsInstruction,
  getCreatePoolInstruction,
  getDepositInstruction,
  getOpenLedgerPageInstructionAsync,
  getPauseInstruction,
  getRegisterContributionInstructionAsync,
  getSetDestinationInstructionAsync,
  getSetWeightsInstructionAsync,
  OwedOverflowError,
  slotShare,
  owedAt,
  buildReport,
  canonicalReceipt,
  canonicalReport,
  checkReceiptProof,
  formatScore,
  leafHash,
  parseReceipt,
  parseReport,
  parseScore,
  planUsageFee,
  proveReceipt,
  reportHash,
  scoresOf,
  toHex,
} from '../src';

type Meta = { address: string; signer: boolean; writable: boolean };
type Fixture = { name: string; args: any; programId: string; accounts: Meta[]; data: string };
const fixtures = JSON.parse(readFileSync(new URL('./fixtures.json', import.meta.url), 'utf8'));
const ids: Record<string, string> = fixtures.ids;
const a = (k: string): Address => address(ids[k]);
const signer = (k: string) => createNoopSigner(a(k));
const hex = (bytes: ArrayLike<number>) => Buffer.from(Uint8Array.from(bytes)).toString('hex');
const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

function normalise(ix: Instruction) {
  return {
    programId: ix.programAddress as string,
    accounts: (ix.accounts ?? []).map((m) => ({ address: m.address as string, signer: m.role >= 2, writable: (m.role & 1) === 1 })),
    data: hex(ix.data ?? new Uint8Array()),
  };
}

async function build(f: Fixture): Promise<Instruction> {
  const pool = a('pool');
  const common = { pool, mint: a('mint'), vault: a('vault'), tokenProgram: a('tokenProgram') };
  switch (f.name) {
    case 'createPool':
      return getCreatePoolInstruction({ creator: signer('creator'), ...common, poolId: 7n, attestor: address(f.args.attestor), crankerRewardBps: 25, minPayout: 1000n });
    case 'pause':
      return getPauseInstruction({ authority: signer('creator'), pool });
    case 'openLedgerPage':
      return getOpenLedgerPageInstructionAsync({ payer: signer('creator'), pool, page: 1 });
    case 'registerContribution':
      return getRegisterContributionInstructionAsync({
        contributor: signer('contributor'), pool, page: 1, contribution: a('contribution'),
        destination: a('destination'), tokenProgram: a('tokenProgram'), contentHash: fromHex(ids.contentHash),
        kind: ContributionKind.Model, uri: f.args.uri,
      });
    case 'setWeights':
      return getSetWeightsInstructionAsync({
        attestor: signer('attestor'), pool, page: 1, epoch: 3n, reportHash: fromHex(f.args.reportHash),
        updates: f.args.updates.map(([entry, weight]: [number, number]) => ({ entry, weight: BigInt(weight) })),
      });
    case 'deposit':
      return getDepositInstruction({ depositor: signer('creator'), ...common, depositorToken: a('destination'), amount: BigInt(f.args.amount) });
    case 'attributeUsage':
      return getAttributeUsageInstructionAsync({
        payer: signer('creator'), ...common, page: 1, payerToken: a('destination'), fee: 5_000_000n,
        shares: f.args.shares.map(([entry, shareBps]: [number, number]) => ({ entry, shareBps })),
      });
    case 'crankBatch':
    case 'crankPerTransfer':
      return getCrankWithPayoutsInstruction({
        cranker: signer('cranker'), pool, vault: a('vault'), tokenProgram: a('tokenProgram'), page: 1,
        payouts: f.args.payouts.map(([entry, destination]: [number, string]) => ({ entry, destination: address(destination) })),
        batch: f.name === 'crankBatch',
        mint: a('mint'),
        rewardAccount: f.name === 'crankBatch' ? a('reward') : undefined,
      });
    case 'claim':
      return getClaimInstructionAsync({ contributor: signer('contributor'), contribution: a('contribution'), ...common, page: 1, destination: a('destination') });
    case 'setDestination':
      return getSetDestinationInstructionAsync({
        contributor: signer('contributor'), contribution: a('contribution'), pool, page: 1,
        destination: f.accounts[4].address as Address, tokenProgram: a('tokenProgram'),
      });
  }
  throw new Error(`no builder for fixture ${f.name}`);
}

describe('generated client = Rust SDK', () => {
  for (const f of fixtures.instructions as Fixture[]) {
    it(`${f.name}: same program, accounts and data bytes`, async () => {
      expect(normalise(await build(f))).toEqual({ programId: f.programId, accounts: f.accounts, data: f.data });
    });
  }

  it('derives the same PDAs', async () => {
    const p = fixtures.pdas;
    expect((await findPoolPda({ creator: address(p.pool.creator), poolId: BigInt(p.pool.poolId) }))[0]).toBe(p.pool.address);
    expect((await findVaultPda({ pool: address(p.vault.pool) }))[0]).toBe(p.vault.address);
    expect((await findLedgerPagePda({ pool: address(p.ledgerPage.pool), page: p.ledgerPage.page }))[0]).toBe(p.ledgerPage.address);
    expect((await findContributionPda({ pool: address(p.contribution.pool), contentHash: fromHex(p.contribution.contentHash) }))[0]).toBe(p.contribution.address);
  });

  it("computes a slot's share of a page exactly as LedgerPage::slot_share", () => {
    expect(fixtures.slotShares.length).toBeGreaterThan(0);
    for (const c of fixtures.slotShares) expect(slotShare(BigInt(c.pageRent))).toBe(BigInt(c.slotShare));
  });

  it('computes owed amounts exactly as LedgerEntry::owed_at', () => {
    for (const c of fixtures.owed) {
      const snapshot = BigInt(c.snapshot);
      const entry = { weight: BigInt(c.weight), snapshot: [snapshot & ((1n << 64n) - 1n), snapshot >> 64n], frac: BigInt(c.frac), owed: BigInt(c.owed) };
      if (c.expected === 'overflow') expect(() => owedAt(entry, BigInt(c.acc))).toThrow(OwedOverflowError);
      else expect(owedAt(entry, BigInt(c.acc))).toBe(BigInt(c.expected));
    }
  });
});

// Verifiable attribution: the client reads the same receipts, builds the same report (byte for
// byte, so the same hash), proves and checks the same receipts, and plans the same usage fee as
// tributary_attest in Rust (fixtures.json's `attest`, written from the Rust crate).
describe('attestation agrees with the Rust implementation', () => {
  const at = fixtures.attest;
  it('canonical receipts and leaves', async () => {
    for (const [i, input] of at.inputs.entries()) {
      const receipt = parseReceipt(input, i + 1);
      expect(canonicalReceipt(receipt)).toBe(at.canonical[i]);
      expect(toHex(await leafHash(canonicalReceipt(receipt)))).toBe(at.leaves[i]);
    }
  });
  it('the report, its bytes and its hash', async () => {
    const pool = JSON.parse(at.report).pool;
    const report = await buildReport(at.inputs, pool, 4);
    expect(canonicalReport(report)).toBe(at.report);
    expect(await reportHash(report)).toBe(at.reportHash);
    expect(parseReport(at.report + '\n')).toEqual(report);
  });
  it('a tampered report is refused by name', () => {
    const report = JSON.parse(at.report);
    const w0 = report.weights[0].weight;
    expect(() => parseReport(at.report.replace(`"weight":${w0}`, `"weight":${w0 + 1}`))).toThrow(/sum to/);
    expect(() => parseReport(at.report.replace('{"version"', '{ "version"'))).toThrow(/canonical/);
    expect(() => parseReport(at.report.replace('"receipts":7', '"receipts":7,"note":1'))).toThrow(/unknown field/);
  });
  it('proofs: built the same, checked, and a changed receipt or path refused', async () => {
    const report = parseReport(at.report);
    for (const expected of at.proofs) {
      const proof = await proveReceipt(at.inputs, expected.receipt.id);
      expect(proof).toEqual(expected);
      await checkReceiptProof(proof, report);
    }
    const proof = structuredClone(at.proofs[1]);
    proof.receipt.uses[0].score = '9';
    await expect(checkReceiptProof(proof, report)).rejects.toThrow(/receipt was changed/);
    const bent = structuredClone(at.proofs[1]);
    bent.path[0].side = bent.path[0].side === 'left' ? 'right' : 'left';
    await expect(checkReceiptProof(bent, report)).rejects.toThrow(/does not lead/);
  });
  it('a usage fee split by score', () => {
    const receipts = at.inputs.map((l: string, i: number) => parseReceipt(l, i + 1));
    const plan = planUsageFee(scoresOf(receipts), BigInt(at.usage.fee));
    expect(plan.map((p) => ({ page: p.page, fee: Number(p.fee), shares: p.shares.map((s) => [s.entry, s.shareBps]) }))).toEqual(at.usage.plan);
  });
  it('method and input: kept in place, malformed ones refused as in Rust', () => {
    const withMethod = at.inputs.find((l: string) => l.includes('"method"'));
    expect(withMethod).toBeDefined();
    const line = canonicalReceipt(parseReceipt(withMethod, 1));
    expect(line).toMatch(/"kind":"[a-z_]+","method":"span-match\/v1;min_tokens=\d+","input":"[0-9a-f]{64}","uses":/);
    for (const [from, to, reason] of [
      ['"method":"span-match/v1', '"method":"Span/v1', /method 'Span\/v1/],
      [/;min_tokens=\d+/, ';min_tokens', /must be name\/vN/],
      [/"input":"[0-9a-f]+"/, '"input":"AB"', /input must be/],
    ] as const)
      expect(() => parseReceipt(line.replace(from, to), 3)).toThrow(reason);
  });
  it('scores are read exactly', () => {
    expect(parseScore('0.000000001')).toBe(1n);
    expect(formatScore(parseScore('007.2500'))).toBe('7.25');
    for (const bad of ['', '-1', '1e3', '.5', '5.', '0.0000000001', '1000000000000000000']) expect(() => parseScore(bad)).toThrow();
  });
});

// Verifiable attribution (ATTESTATION.md), as `tributary_attest` does it in Rust: usage receipts and
// their canonical lines, the receipts' Merkle root, attribution reports (canonical bytes, hash,
// the method's weights), inclusion proofs, a report checked against the pool on chain, and usage
// fees paid by score. SHA-256 comes from WebCrypto (browsers, Node ≥ 20): nothing leaves the page.
import type { Address, TransactionSigner } from '@solana/kit';
import { getAttributeUsageInstructionAsync, type LedgerEntry, type Pool } from './generated';
import { TRIBUTARY_CONSTANTS } from './idl-tables.generated';
import { EntryStatus } from './owed';
import { ENTRIES_PER_PAGE } from './pda';

export class AttestError extends Error {}

// ---- scores ------------------------------------------------------------------------------------

export const SCORE_DECIMALS = 9;
const NANO = 1_000_000_000n;

/** A score's decimal string as a whole number of 10⁻⁹ units (throws on anything else). */
export function parseScore(text: string): bigint {
  const m = /^([0-9]{1,18})(?:\.([0-9]{1,9}))?$/.exec(text);
  if (!m) throw new AttestError(`score '${text}' is not a non-negative decimal like "0.25" (at most ${SCORE_DECIMALS} decimals)`);
  return BigInt(m[1]) * NANO + BigInt((m[2] ?? '').padEnd(SCORE_DECIMALS, '0') || '0');
}

/** The canonical decimal string of a score in 10⁻⁹ units ("0.5", "12", "0"). */
export function formatScore(nano: bigint): string {
  const whole = nano / NANO;
  const fraction = (nano % NANO).toString().padStart(SCORE_DECIMALS, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

// ---- receipts ----------------------------------------------------------------------------------

export type UsageKind = 'training' | 'fine_tuning' | 'inference';
export type ReceiptUse = { entry: number; content_hash?: string; score: string };
export type Receipt = {
  v: 1;
  id: string;
  time: number;
  pool: string;
  consumer: string;
  kind: UsageKind;
  /** The attributor that computed the scores: `name/vN[;key=value…]` (ATTRIBUTION.md). */
  method?: string;
  /** SHA-256 (hex) of the input manifest the scores were computed from (ATTRIBUTION.md §1). */
  input?: string;
  uses: ReceiptUse[];
};

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
const HEX64 = /^[0-9a-f]{64}$/;
// name/vN, then ;key=value parameters: printable ASCII, at most 128 bytes (checked apart)
const METHOD = /^[a-z0-9-]+\/v[0-9]+(;[\x21-\x3a\x3c\x3e-\x7e]+=[\x21-\x3a\x3c\x3e-\x7e]+)*$/;
const isU32 = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffff_ffff;

function onlyKeys(value: Record<string, unknown>, allowed: string[], what: string) {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) throw new AttestError(`${what}: unknown field \`${key}\``);
}

/** Check a receipt object and return it with its scores in canonical form. */
export function checkReceipt(value: unknown): Receipt {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AttestError('a receipt is a JSON object');
  const r = value as Record<string, unknown>;
  onlyKeys(r, ['v', 'id', 'time', 'pool', 'consumer', 'kind', 'method', 'input', 'uses'], 'receipt');
  if (r.v !== 1) throw new AttestError(`version ${String(r.v)} (this client reads version 1)`);
  if (typeof r.id !== 'string' || r.id.length === 0 || new TextEncoder().encode(r.id).length > 128) throw new AttestError('id must be 1 to 128 bytes');
  if (!Number.isSafeInteger(r.time) || (r.time as number) < 0) throw new AttestError('time must be unix seconds, not negative');
  if (typeof r.pool !== 'string' || !BASE58.test(r.pool)) throw new AttestError(`pool '${String(r.pool)}' is not a base58 address`);
  if (typeof r.consumer !== 'string' || r.consumer.length === 0) throw new AttestError('consumer is empty');
  if (r.kind !== 'training' && r.kind !== 'fine_tuning' && r.kind !== 'inference') throw new AttestError(`unknown kind '${String(r.kind)}'`);
  if (r.method !== undefined && (typeof r.method !== 'string' || r.method.length > 128 || !METHOD.test(r.method)))
    throw new AttestError(`method '${String(r.method)}' must be name/vN with optional ;key=value parameters, 1 to 128 printable ASCII bytes`);
  if (r.input !== undefined && (typeof r.input !== 'string' || !HEX64.test(r.input))) throw new AttestError('input must be 64 lowercase hex digits');
  if (!Array.isArray(r.uses) || r.uses.length === 0) throw new AttestError('uses is empty');
  const seen = new Set<number>();
  const uses: ReceiptUse[] = r.uses.map((u: any) => {
    if (typeof u !== 'object' || u === null) throw new AttestError('a use is a JSON object');
    onlyKeys(u, ['entry', 'content_hash', 'score'], 'use');
    if (!isU32(u.entry)) throw new AttestError(`entry ${String(u.entry)} is not a u32`);
    if (seen.has(u.entry)) throw new AttestError(`entry ${u.entry} is named twice`);
    seen.add(u.entry);
    if (u.content_hash !== undefined && (typeof u.content_hash !== 'string' || !HEX64.test(u.content_hash)))
      throw new AttestError(`entry ${u.entry}: content_hash must be 64 lowercase hex digits`);
    if (typeof u.score !== 'string') throw new AttestError(`entry ${u.entry}: the score must be a decimal string`);
    const use: ReceiptUse = { entry: u.entry, score: formatScore(parseScore(u.score)) };
    return u.content_hash === undefined ? use : { entry: u.entry, content_hash: u.content_hash, score: use.score };
  });
  const head = { v: 1 as const, id: r.id, time: r.time as number, pool: r.pool, consumer: r.consumer, kind: r.kind as UsageKind };
  return {
    ...head,
    ...(r.method === undefined ? {} : { method: r.method as string }),
    ...(r.input === undefined ? {} : { input: r.input as string }),
    uses,
  };
}

/** Parse and check one line of a receipt log (`line` numbers errors, from 1). */
export function parseReceipt(text: string, line = 0): Receipt {
  try {
    return checkReceipt(JSON.parse(text));
  } catch (e) {
    throw new AttestError(`receipt at line ${line}: ${(e as Error).message}`);
  }
}

/** A receipt's canonical line: fields in order, no whitespace, canonical scores. */
export function canonicalReceipt(receipt: Receipt): string {
  const r = checkReceipt(receipt);
  // checkReceipt returns the fields in canonical order, the optional ones only when present
  return JSON.stringify(r);
}

/** An append-only receipt log over any sink (`line => fs.promises.appendFile(path, line)` in Node). */
export class ReceiptLog {
  constructor(private readonly write: (line: string) => Promise<void> | void) {}

  /** Check `receipt`, append its canonical line; returns its Merkle leaf (hex). */
  async append(receipt: Receipt): Promise<string> {
    const line = canonicalReceipt(receipt);
    await this.write(line + '\n');
    return toHex(await leafHash(line));
  }
}

// ---- hashing and the Merkle tree ----------------------------------------------------------------

export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
export function fromHex(text: string): Uint8Array {
  if (!HEX64.test(text)) throw new AttestError(`'${text}' is not 64 lowercase hex digits`);
  return Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16)));
}

export async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', all));
}

export const leafHash = (canonicalLine: string) => sha256(Uint8Array.of(0), new TextEncoder().encode(canonicalLine));
export const nodeHash = (left: Uint8Array, right: Uint8Array) => sha256(Uint8Array.of(1), left, right);

export type ProofStep = { side: 'left' | 'right'; hash: string };

/** The root of leaves pushed in order (and, when proving, the path of leaf `target`). */
export class MerkleBuilder {
  private stack: { height: number; hash: Uint8Array; holds: boolean }[] = [];
  private path: ProofStep[] = [];
  count = 0;

  constructor(private readonly target?: number) {}

  private async merge(left: MerkleBuilder['stack'][0], right: MerkleBuilder['stack'][0]) {
    if (left.holds) this.path.push({ side: 'right', hash: toHex(right.hash) });
    else if (right.holds) this.path.push({ side: 'left', hash: toHex(left.hash) });
    return { height: Math.max(left.height, right.height) + 1, hash: await nodeHash(left.hash, right.hash), holds: left.holds || right.holds };
  }

  async push(leaf: Uint8Array) {
    let node = { height: 0, hash: leaf, holds: this.target === this.count };
    this.count += 1;
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].height === node.height) {
      node = await this.merge(this.stack.pop()!, node);
    }
    this.stack.push(node);
  }

  async finish(): Promise<{ root: Uint8Array; path?: ProofStep[] }> {
    let acc = this.stack.pop();
    if (!acc) throw new AttestError('no receipts');
    for (let left = this.stack.pop(); left; left = this.stack.pop()) acc = await this.merge(left, acc);
    return { root: acc.hash, path: this.target !== undefined && this.target < this.count ? this.path : undefined };
  }
}

export async function rootFrom(leaf: Uint8Array, path: ProofStep[]): Promise<Uint8Array> {
  let acc = leaf;
  for (const step of path) acc = step.side === 'left' ? await nodeHash(fromHex(step.hash), acc) : await nodeHash(acc, fromHex(step.hash));
  return acc;
}

// ---- apportionment ------------------------------------------------------------------------------

/** `total` split over `values` by largest remainder (ties to the earlier); null if all are zero. */
export function apportion(values: bigint[], total: bigint): bigint[] | null {
  const sum = values.reduce((a, b) => a + b, 0n);
  if (sum === 0n) return null;
  const parts = values.map((v) => (v * total) / sum);
  const remainders = values.map((v) => (v * total) % sum);
  let left = total - parts.reduce((a, b) => a + b, 0n);
  const order = values.map((_, i) => i).sort((a, b) => (remainders[b] > remainders[a] ? 1 : remainders[b] < remainders[a] ? -1 : a - b));
  for (const i of order) {
    if (left === 0n) break;
    parts[i] += 1n;
    left -= 1n;
  }
  return parts;
}

// ---- reports ------------------------------------------------------------------------------------

export const REPORT_METHOD = 'sum-of-scores/largest-remainder/v1';
/** What a report's weights sum to: 2⁴⁰, so a deposit divides over it exactly (ATTESTATION.md §3). */
export const WEIGHT_TOTAL = 2 ** 40;

export type EntryWeight = { entry: number; score: string; weight: number };
export type Report = {
  version: 1;
  pool: string;
  epoch: number;
  method: string;
  receipts: number;
  receipts_root: string;
  total_weight: number;
  weights: EntryWeight[];
};

export function canonicalReport(r: Report): string {
  return JSON.stringify({
    version: r.version,
    pool: r.pool,
    epoch: r.epoch,
    method: r.method,
    receipts: r.receipts,
    receipts_root: r.receipts_root,
    total_weight: r.total_weight,
    weights: r.weights.map((w) => ({ entry: w.entry, score: w.score, weight: w.weight })),
  });
}

/** The report hash: SHA-256 of the canonical bytes, as `set_weights` records it (hex). */
export async function reportHash(report: Report): Promise<string> {
  return toHex(await sha256(new TextEncoder().encode(canonicalReport(report))));
}

/** Read a report file: canonical, known version and method, weights the method's apportionment. */
export function parseReport(text: string): Report {
  let value: any;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AttestError(`report: not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null) throw new AttestError('report: not a JSON object');
  onlyKeys(value, ['version', 'pool', 'epoch', 'method', 'receipts', 'receipts_root', 'total_weight', 'weights'], 'report');
  const report = value as Report;
  if (!Array.isArray(report.weights)) throw new AttestError('report: weights missing');
  for (const w of report.weights) onlyKeys(w as any, ['entry', 'score', 'weight'], 'report weight');
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (body !== canonicalReport(report))
    throw new AttestError("report: not in canonical form (fields reordered, whitespace or non-canonical numbers): its hash would not be the report's");
  if (report.version !== 1) throw new AttestError(`report: version ${report.version} (this client reads version 1)`);
  if (report.method !== REPORT_METHOD) throw new AttestError(`report: method '${report.method}' (this client knows '${REPORT_METHOD}')`);
  if (!BASE58.test(report.pool)) throw new AttestError(`report: pool '${report.pool}' is not a base58 address`);
  fromHex(report.receipts_root);
  if (!report.weights.every((w, i) => i === 0 || report.weights[i - 1].entry < w.entry)) throw new AttestError('report: weights are not in increasing entry order');
  const sum = report.weights.reduce((a, w) => a + BigInt(w.weight), 0n);
  if (sum !== BigInt(report.total_weight)) throw new AttestError(`report: weights sum to ${sum}, not total_weight ${report.total_weight}`);
  const expected = apportion(report.weights.map((w) => parseScore(w.score)), BigInt(report.total_weight));
  if (!expected || !expected.every((e, i) => e === BigInt(report.weights[i].weight)))
    throw new AttestError("report: the weights are not the method's apportionment of the scores");
  return report;
}

/** The weight a report gives `entry` (0 for an entry it does not name). */
export const reportWeightOf = (report: Report, entry: number): number => report.weights.find((w) => w.entry === entry)?.weight ?? 0;

/** Build a report from receipt lines (one receipt each, in log order). */
export async function buildReport(lines: Iterable<string> | AsyncIterable<string>, pool: string, epoch: number): Promise<Report> {
  if (!BASE58.test(pool)) throw new AttestError(`pool '${pool}' is not a base58 address`);
  if (!Number.isSafeInteger(epoch) || epoch < 1) throw new AttestError('epoch must be 1 to 2^53 - 1');
  const tree = new MerkleBuilder();
  const scores = new Map<number, bigint>();
  let line = 0;
  for await (const text of lines) {
    line += 1;
    const receipt = parseReceipt(text, line);
    if (receipt.pool !== pool) throw new AttestError(`receipt at line ${line}: for pool ${receipt.pool}, not ${pool}`);
    await tree.push(await leafHash(canonicalReceipt(receipt)));
    for (const u of receipt.uses) scores.set(u.entry, (scores.get(u.entry) ?? 0n) + parseScore(u.score));
  }
  const { root } = await tree.finish();
  const entries = [...scores.keys()].sort((a, b) => a - b);
  const weights = apportion(entries.map((e) => scores.get(e)!), BigInt(WEIGHT_TOTAL));
  if (!weights) throw new AttestError('every score is zero: nothing to attribute');
  return {
    version: 1,
    pool,
    epoch,
    method: REPORT_METHOD,
    receipts: tree.count,
    receipts_root: toHex(root),
    total_weight: WEIGHT_TOTAL,
    weights: entries.map((entry, i) => ({ entry, score: formatScore(scores.get(entry)!), weight: Number(weights[i]) })),
  };
}

/** The lines of a receipt log's text (a trailing newline ends the last line; blank lines are refused). */
export function receiptLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// ---- proofs -------------------------------------------------------------------------------------

export type ReceiptProof = { receipt: Receipt; index: number; leaf: string; path: ProofStep[]; root: string };

/** The inclusion proof of the first receipt with id `id`. */
export async function proveReceipt(lines: string[], id: string): Promise<ReceiptProof> {
  const receipts = lines.map((l, i) => parseReceipt(l, i + 1));
  const index = receipts.findIndex((r) => r.id === id);
  if (index < 0) throw new AttestError(`no receipt with id '${id}'`);
  const tree = new MerkleBuilder(index);
  for (const r of receipts) await tree.push(await leafHash(canonicalReceipt(r)));
  const { root, path } = await tree.finish();
  const receipt = receipts[index];
  return { receipt, index, leaf: toHex(await leafHash(canonicalReceipt(receipt))), path: path ?? [], root: toHex(root) };
}

/** Check that the proof's receipt is among those `report` was built from (throws why not). */
export async function checkReceiptProof(proof: ReceiptProof, report: Report): Promise<void> {
  const receipt = checkReceipt(proof.receipt);
  if (toHex(await leafHash(canonicalReceipt(receipt))) !== proof.leaf) throw new AttestError('proof: the leaf is not the receipt\'s hash: the receipt was changed');
  if (toHex(await rootFrom(fromHex(proof.leaf), proof.path)) !== proof.root) throw new AttestError('proof: the path does not lead from the leaf to the root');
  if (proof.root !== report.receipts_root) throw new AttestError(`proof: the proof's root ${proof.root} is not the report's receipts root ${report.receipts_root}`);
  if (!(proof.index < report.receipts)) throw new AttestError(`proof: index ${proof.index} but the report has ${report.receipts} receipts`);
  if (receipt.pool !== report.pool) throw new AttestError(`proof: the receipt is for pool ${receipt.pool}, the report for ${report.pool}`);
}

// ---- the report against the chain ---------------------------------------------------------------

/**
 * What does not match between a report and the pool on chain (empty: it verifies): the pool's epoch
 * and report hash, every active entry's weight (0 for one the report does not name), and entries
 * the report names that the pool never registered. `entries`: the pool's registered entries
 * (PoolView.entries()). Retired or closed entries count as 0 whatever the report says.
 */
export async function reportProblems(
  report: Report,
  poolAddress: string,
  pool: Pick<Pool, 'epoch' | 'reportHash'>,
  entries: Iterable<[number, LedgerEntry]>,
): Promise<string[]> {
  const problems: string[] = [];
  if (report.pool !== poolAddress) problems.push(`the report is for pool ${report.pool}, not ${poolAddress}`);
  if (BigInt(report.epoch) !== pool.epoch) problems.push(`the pool is at epoch ${pool.epoch}, the report is epoch ${report.epoch}`);
  const hash = await reportHash(report);
  const onChain = toHex(Uint8Array.from(pool.reportHash));
  if (hash !== onChain) problems.push(`the report's hash ${hash} is not the hash on chain ${onChain}`);
  const registered = new Set<number>();
  for (const [entry, e] of entries) {
    if (e.status === EntryStatus.Empty) continue;
    registered.add(entry);
    const expected = BigInt(reportWeightOf(report, entry));
    if (e.status === EntryStatus.Active && e.weight !== expected)
      problems.push(`entry ${entry}: weight ${e.weight} on chain, ${expected} in the report`);
  }
  for (const w of report.weights) if (!registered.has(w.entry)) problems.push(`the report names entry ${w.entry}, which the pool never registered`);
  return problems;
}

// ---- usage fees by score ------------------------------------------------------------------------

export type UsagePayment = { page: number; fee: bigint; shares: { entry: number; shareBps: number }[] };

/** Each entry's summed score (10⁻⁹ units) over `receipts`. */
export function scoresOf(receipts: Receipt[]): Map<number, bigint> {
  const scores = new Map<number, bigint>();
  for (const r of receipts) for (const u of r.uses) scores.set(u.entry, (scores.get(u.entry) ?? 0n) + parseScore(u.score));
  return scores;
}

/**
 * The `attribute_usage` calls that pay `fee` to the entries of `scores` in proportion to them
 * (ATTESTATION.md §6): split by ledger page and `maxEntries`, exact basis points.
 */
export function planUsageFee(
  scores: Map<number, bigint>,
  fee: bigint,
  entriesPerPage: number = TRIBUTARY_CONSTANTS.ENTRIES_PER_PAGE,
  maxEntries: number = TRIBUTARY_CONSTANTS.MAX_USAGE_ENTRIES,
): UsagePayment[] {
  if (fee <= 0n) throw new AttestError('a usage fee must be positive');
  const parts: { page: number; members: [number, bigint][] }[] = [];
  for (const entry of [...scores.keys()].sort((a, b) => a - b)) {
    const score = scores.get(entry)!;
    if (score === 0n) continue;
    const page = Math.floor(entry / entriesPerPage);
    const last = parts[parts.length - 1];
    if (last && last.page === page && last.members.length < maxEntries) last.members.push([entry, score]);
    else parts.push({ page, members: [[entry, score]] });
  }
  const fees = apportion(parts.map((p) => p.members.reduce((a, [, s]) => a + s, 0n)), fee);
  if (!fees) throw new AttestError('every score is zero: nothing to attribute');
  const out: UsagePayment[] = [];
  parts.forEach((part, i) => {
    if (fees[i] === 0n) return;
    const bps = apportion(part.members.map(([, s]) => s), 10_000n)!;
    const shares = part.members.map(([entry], j) => ({ entry, shareBps: Number(bps[j]) })).filter((s) => s.shareBps > 0);
    out.push({ page: part.page, fee: fees[i], shares });
  });
  return out;
}

/** The `attribute_usage` instructions of `planUsageFee(scores, fee)`, ready to send (in one transaction or several). */
export async function getAttributeUsageByScoresInstructions(input: {
  payer: TransactionSigner;
  pool: Address;
  mint: Address;
  vault: Address;
  payerToken: Address;
  tokenProgram?: Address;
  fee: bigint;
  scores: Map<number, bigint>;
}) {
  const plan = planUsageFee(input.scores, input.fee, ENTRIES_PER_PAGE, TRIBUTARY_CONSTANTS.MAX_USAGE_ENTRIES);
  return Promise.all(
    plan.map((part) =>
      getAttributeUsageInstructionAsync({
        payer: input.payer,
        pool: input.pool,
        page: part.page,
        mint: input.mint,
        vault: input.vault,
        payerToken: input.payerToken,
        ...(input.tokenProgram ? { tokenProgram: input.tokenProgram } : {}),
        fee: part.fee,
        shares: part.shares,
      }),
    ),
  );
}

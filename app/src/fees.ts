// What a transaction will cost in fees, decided before the wallet is asked to sign. The priority
// fee the RPC suggests is capped: the endpoint can be replaced by a link (`?rpc=`), and anyone can
// bid up recent fees on the pool's accounts, so its answer is a suggestion, never a price the user
// agreed to. A price above the cap is used only when the user chooses it for that transaction.
import { formatSol } from './format';

/** Lamports per signature (the base fee). */
export const LAMPORTS_PER_SIGNATURE = 5_000n;
/** The default cap on the compute-unit price, micro-lamports per CU: at the 1.4M CU maximum a
 * transaction's priority fee stays under 0.00014 SOL. */
export const DEFAULT_MAX_PRIORITY_FEE = 100_000n;

export type FeeQuote = {
  signatures: number;
  /** The compute-unit limit the transaction asks for. */
  limit: number;
  /** Micro-lamports per CU: the median of the non-zero recent fees the RPC reported. */
  suggested: bigint;
  cap: bigint;
  /** Micro-lamports per CU the transaction will carry. */
  price: bigint;
  base: bigint;
  priority: bigint;
  total: bigint;
};

/** The median of the recent non-zero fees, reading an RPC answer defensively: entries that are not
 * non-negative integers below 2⁶⁴ are ignored (they are not fees). */
export function medianRecentFee(recent: readonly { prioritizationFee?: unknown }[]): bigint {
  const fees: bigint[] = [];
  for (const r of Array.isArray(recent) ? recent : []) {
    const f = r?.prioritizationFee;
    let v: bigint;
    try {
      v = typeof f === 'bigint' ? f : typeof f === 'number' && Number.isSafeInteger(f) ? BigInt(f) : typeof f === 'string' && /^\d{1,20}$/.test(f) ? BigInt(f) : -1n;
    } catch {
      v = -1n;
    }
    if (v > 0n && v < 1n << 64n) fees.push(v);
  }
  fees.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return fees.length ? fees[Math.floor(fees.length / 2)] : 0n;
}

/** The fee at `price` micro-lamports per CU for `limit` CU (rounded up, as the runtime charges). */
export function quoteAt(q: Omit<FeeQuote, 'price' | 'base' | 'priority' | 'total'>, price: bigint): FeeQuote {
  const base = LAMPORTS_PER_SIGNATURE * BigInt(q.signatures);
  const priority = (BigInt(q.limit) * price + 999_999n) / 1_000_000n;
  return { ...q, price, base, priority, total: base + priority };
}

/** The quote the app sends by default: the suggested price, but never above the cap. */
export function quoteFee(recent: readonly { prioritizationFee?: unknown }[], limit: number, cap: bigint, signatures = 1): FeeQuote {
  const suggested = medianRecentFee(recent);
  return quoteAt({ signatures, limit, suggested, cap }, suggested < cap ? suggested : cap);
}

/** How far above the cap a suggestion may be and still count as the cap, micro-lamports per CU.
 * A node reports a landed transaction's fee as its whole priority lamports over its compute units,
 * so a transaction sent at the cap shows up a little above it (a fee of 1,014 lamports over 10,136
 * CU reads 100,039 at a cap of 100,000); this covers that rounding for transactions of 1,000 CU or
 * more. Either way the transaction goes out at the cap: only the question is skipped. */
export const CAP_ROUNDING = 1_000n;

/** The RPC suggested more than the cap (beyond the rounding of fees sent at the cap): sending at
 * the suggestion needs the user's explicit choice. */
export function aboveCap(q: FeeQuote): boolean {
  return q.suggested > q.cap + CAP_ROUNDING;
}

/** The cap in force: the build's (VITE_MAX_PRIORITY_FEE, else the default), lowered — never raised —
 * by `?maxPriorityFee=` (a link must not be able to make the user pay more). */
export function priorityFeeCap(buildValue: string | undefined, queryValue: string | null): bigint {
  const parse = (v: string | undefined | null) => (v && /^\d{1,15}$/.test(v) ? BigInt(v) : null);
  const build = parse(buildValue) ?? DEFAULT_MAX_PRIORITY_FEE;
  const query = parse(queryValue);
  return query !== null && query < build ? query : build;
}

export function formatLamports(lamports: bigint): string {
  return `${formatSol(lamports)} SOL`;
}

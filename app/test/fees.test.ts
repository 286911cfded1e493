// The fee a user agrees to: what the RPC suggests is read defensively and capped, and the cap can
// only be lowered by a link. (The browser test sends a claim through a hostile answer.)
import { describe, expect, it } from 'vitest';
import { aboveCap, DEFAULT_MAX_PRIORITY_FEE, formatLamports, medianRecentFee, priorityFeeCap, quoteAt, quoteFee } from '../src/fees';
import { formatShare, timeTickFormatter } from '../src/format';

describe('priority fees', () => {
  it('the median of the non-zero fees, junk ignored', () => {
    expect(medianRecentFee([])).toBe(0n);
    expect(medianRecentFee([{ prioritizationFee: 0n }, { prioritizationFee: 0 }])).toBe(0n);
    expect(medianRecentFee([{ prioritizationFee: 3n }, { prioritizationFee: 1n }, { prioritizationFee: 2n }])).toBe(2n);
    const hostile = [
      { prioritizationFee: -5 }, { prioritizationFee: 'lots' }, { prioritizationFee: 1e300 }, { prioritizationFee: 1n << 64n },
      { prioritizationFee: null }, {}, { prioritizationFee: 7 }, { prioritizationFee: '9' },
    ];
    expect(medianRecentFee(hostile)).toBe(9n);
    expect(medianRecentFee('not a list' as unknown as [])).toBe(0n);
  });

  it('a suggestion above the cap is sent at the cap unless chosen, and the total is what the runtime charges', () => {
    const q = quoteFee([{ prioritizationFee: 2_000_000_000n }], 30_000, DEFAULT_MAX_PRIORITY_FEE);
    expect(aboveCap(q)).toBe(true);
    expect(q.price).toBe(DEFAULT_MAX_PRIORITY_FEE);
    expect(q.total).toBe(5_000n + 3_000n); // 30,000 CU × 100,000 µλ = 3,000 lamports
    expect(quoteAt(q, q.suggested).total).toBe(5_000n + 60_000_000n);
    // a fee sent at the cap reads a little above it once landed: still the cap, no question
    const echo = quoteFee([{ prioritizationFee: 100_039n }], 10_136, DEFAULT_MAX_PRIORITY_FEE);
    expect([aboveCap(echo), echo.price]).toEqual([false, DEFAULT_MAX_PRIORITY_FEE]);
    expect(aboveCap(quoteFee([{ prioritizationFee: 101_001n }], 10_136, DEFAULT_MAX_PRIORITY_FEE))).toBe(true);
    const calm = quoteFee([{ prioritizationFee: 1_001n }], 1_000, DEFAULT_MAX_PRIORITY_FEE);
    expect(aboveCap(calm)).toBe(false);
    expect(calm.priority).toBe(2n); // 1,001,000 µλ rounds up to 2 lamports
  });

  it('a link can lower the cap, never raise it', () => {
    expect(priorityFeeCap(undefined, null)).toBe(DEFAULT_MAX_PRIORITY_FEE);
    expect(priorityFeeCap('50000', '1000')).toBe(1_000n);
    expect(priorityFeeCap('50000', '99999999')).toBe(50_000n);
    expect(priorityFeeCap(undefined, '-1')).toBe(DEFAULT_MAX_PRIORITY_FEE);
    expect(priorityFeeCap('junk', '1e9')).toBe(DEFAULT_MAX_PRIORITY_FEE);
  });

  it('lamports read as SOL', () => {
    expect(formatLamports(5_000n)).toBe('0.000005 SOL');
    expect(formatLamports(1_000_000_000n)).toBe('1 SOL');
  });
});

describe('what a contributor reads', () => {
  it('a weight is a share of the pool', () => {
    expect(formatShare(1n << 40n, 1n << 40n)).toBe('100 %');
    expect(formatShare(1n, 8n)).toBe('12.5 %');
    expect(formatShare(1n, 1n << 40n)).toBe('< 0.001 %');
    expect(formatShare(0n, 0n)).toBe('0 %');
  });
  it('time ticks tell apart points minutes apart', () => {
    const t = 1_764_520_000;
    const fmt = timeTickFormatter(300);
    expect(fmt(t)).not.toBe(fmt(t + 20));
    expect(timeTickFormatter(10 * 86_400)(t)).not.toMatch(/:/);
  });
});

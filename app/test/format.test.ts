// Amounts, shares and chart ticks as the page prints them: exact, no float rounding.
import { describe, expect, it } from 'vitest';
import { formatAmount, formatShare, formatSol, timeTickFormatter } from '../src/format';

describe('format', () => {
  it('amounts keep every base unit and drop trailing zeros', () => {
    expect(formatAmount(99_900_000n, 6)).toBe('99.9');
    expect(formatAmount(1_234_567_000_001n, 6)).toBe('1,234,567.000001');
    expect(formatAmount(0n, 6)).toBe('0');
    expect(formatAmount(2n ** 64n - 1n, 0)).toBe('18,446,744,073,709,551,615');
    expect(formatSol(2_039_280n)).toBe('0.00203928');
  });

  it('a weight reads as its share of the pool, not as a raw integer', () => {
    expect(formatShare(2n ** 40n, 2n ** 40n)).toBe('100 %');
    expect(formatShare(1n, 8n)).toBe('12.5 %');
    expect(formatShare(1n, 3n)).toBe('33.333 %');
    expect(formatShare(1n, 10n ** 9n)).toBe('< 0.001 %');
    expect(formatShare(0n, 10n)).toBe('0 %');
    expect(formatShare(5n, 0n)).toBe('0 %');
  });

  it('chart ticks tell points a minute apart from each other', () => {
    const tick = timeTickFormatter(600);
    const t = 1_764_520_000;
    expect(tick(t)).not.toBe(tick(t + 60));
    expect(tick(t)).not.toBe(tick(t + 1));
    const days = timeTickFormatter(10 * 86_400);
    expect(days(t)).not.toBe(days(t + 86_400));
  });
});

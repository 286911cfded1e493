// Amounts as people read them, exactly (no float rounding): base units with the mint's decimals.

export function formatAmount(value: bigint, decimals: number): string {
  const scale = 10n ** BigInt(decimals);
  const whole = value / scale;
  const frac = (value % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return frac ? `${whole.toLocaleString('en-US')}.${frac}` : whole.toLocaleString('en-US');
}

/** Lamports as SOL: 0.00213 */
export const formatSol = (lamports: bigint) => formatAmount(lamports, 9);

/** A weight as its share of the pool's total weight: "12.5 %", "0.003 %", "< 0.001 %" (exact
 * integer rounding to three decimals, so 2⁴⁰ of 2⁴⁰ reads "100 %"). */
export function formatShare(weight: bigint, total: bigint): string {
  if (total <= 0n || weight <= 0n) return '0 %';
  const thousandths = (weight * 100_000n + total / 2n) / total; // % × 1,000, rounded
  if (thousandths === 0n) return '< 0.001 %';
  return `${formatAmount(thousandths, 3)} %`;
}

/** Time-axis ticks that tell points apart: seconds for a span under two hours, minutes under two
 * days, dates beyond. */
export function timeTickFormatter(spanSeconds: number): (t: number) => string {
  const options: Intl.DateTimeFormatOptions =
    spanSeconds < 7_200
      ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
      : spanSeconds < 172_800
        ? { hour: '2-digit', minute: '2-digit' }
        : { month: 'short', day: 'numeric' };
  return (t) => (spanSeconds < 172_800 ? new Date(t * 1000).toLocaleTimeString([], options) : new Date(t * 1000).toLocaleDateString([], options));
}

/** An address or signature, shortened: `Abcd…wxyz`. */
export const short = (a: string) => `${a.slice(0, 4)}…${a.slice(-4)}`;

/** A unix time as local date and time, or — when unknown. */
export const when = (t: number | null) => (t ? new Date(t * 1000).toLocaleString() : '—');

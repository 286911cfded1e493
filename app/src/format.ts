// Amounts as people read them, exactly (no float rounding): base units with the mint's decimals.

export function formatAmount(value: bigint, decimals: number): string {
  const scale = 10n ** BigInt(decimals);
  const whole = value / scale;
  const frac = (value % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return frac ? `${whole.toLocaleString('en-US')}.${frac}` : whole.toLocaleString('en-US');
}

/** Lamports as SOL: 0.00213 */
export const formatSol = (lamports: bigint) => formatAmount(lamports, 9);

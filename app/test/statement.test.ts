import { describe, expect, it } from 'vitest';
import { csvField, statementCsv, statementRows } from '../src/features/statement/statement';

const day = (iso: string) => Date.parse(iso) / 1000;
const sources = [
  { entry: 3, destination: 'Acct1', history: [{ signature: 's1', time: day('2026-11-30T23:59:59Z'), amount: 1_500_000n }, { signature: 's2', time: day('2026-12-01T10:00:00Z'), amount: 7n }] },
  // entry 5 shares entry 3's payout account: the same payouts, one row each naming both
  { entry: 5, destination: 'Acct1', history: [{ signature: 's1', time: day('2026-11-30T23:59:59Z'), amount: 1_500_000n }, { signature: 's2', time: day('2026-12-01T10:00:00Z'), amount: 7n }] },
  { entry: 9, destination: 'Acct2', history: [{ signature: 's3', time: day('2026-12-02T00:00:00Z'), amount: 2_000_000_000n }] },
];

describe('earnings statement', () => {
  it('every payout once, in the date range (UTC days, inclusive)', () => {
    expect(statementRows(sources, '', '').map((r) => [r.signature, r.entries])).toEqual([['s1', [3, 5]], ['s2', [3, 5]], ['s3', [9]]]);
    expect(statementRows(sources, '2026-12-01', '2026-12-01').map((r) => r.signature)).toEqual(['s2']);
    expect(statementRows(sources, '2026-12-01', '').map((r) => r.signature)).toEqual(['s2', 's3']);
    expect(statementRows(sources, '', '2026-11-30').map((r) => r.signature)).toEqual(['s1']);
  });
  it('CSV an accountant can open: exact amounts, no formulas', () => {
    const csv = statementCsv(statementRows(sources, '', ''), 'Pool1', 'Mint1', 6);
    expect(csv.split('\r\n')).toEqual([
      'date_utc,pool,mint,payout_account,entries,amount,amount_base_units,signature',
      '2026-11-30T23:59:59.000Z,Pool1,Mint1,Acct1,3 5,1.5,1500000,s1',
      '2026-12-01T10:00:00.000Z,Pool1,Mint1,Acct1,3 5,0.000007,7,s2',
      '2026-12-02T00:00:00.000Z,Pool1,Mint1,Acct2,9,2000,2000000000,s3',
      '',
    ]);
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('a,b')).toBe('"a,b"');
  });
});

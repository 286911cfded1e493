import { describe, expect, it } from 'vitest';
import type { IndexerPayout } from '@tributary/client';
import { ledgerDisagreements, rowsOfPayouts } from '../src/features/statement/data-access/indexed-statement';

const payout = (signature: string, entries: number[], amount: string, time = 1_796_256_000): IndexerPayout => ({
  date_utc: new Date(time * 1000).toISOString(),
  block_time: time,
  pool: 'Pool1',
  mint: 'Mint1',
  payout_account: `Acct${entries.join('-')}`,
  entries,
  contributor: 'Wallet1',
  owner: 'Wallet1',
  kind: 'crank',
  amount,
  slot: 1,
  signature,
  finalized: true,
});

describe('a statement from the indexer', () => {
  it('keeps amounts exact (strings of base units to bigint)', () => {
    const rows = rowsOfPayouts([payout('s1', [5, 3], '18446744073709551615')]);
    expect(rows).toEqual([{ time: 1_796_256_000, signature: 's1', payoutAccount: 'Acct5-3', entries: [3, 5], amount: 18_446_744_073_709_551_615n }]);
  });
  it('agrees with the ledger when every payout is there', () => {
    const rows = rowsOfPayouts([payout('s1', [1], '700'), payout('s2', [1], '300'), payout('s3', [2], '5')]);
    expect(ledgerDisagreements(rows, [{ entry: 1, paid: 1000n }, { entry: 2, paid: 5n }])).toEqual([]);
  });
  it('names an entry whose indexed payouts are not what the ledger says it was paid', () => {
    const rows = rowsOfPayouts([payout('s1', [1], '700')]);
    expect(ledgerDisagreements(rows, [{ entry: 1, paid: 1000n }, { entry: 2, paid: 5n }])).toEqual([
      { entries: [1], indexed: 700n, ledger: 1000n },
      { entries: [2], indexed: 0n, ledger: 5n },
    ]);
  });
  it('compares entries sharing a payout account as one sum', () => {
    const rows = rowsOfPayouts([payout('s1', [3, 5], '40')]);
    expect(ledgerDisagreements(rows, [{ entry: 3, paid: 25n }, { entry: 5, paid: 15n }])).toEqual([]);
    expect(ledgerDisagreements(rows, [{ entry: 3, paid: 25n }, { entry: 5, paid: 16n }])).toEqual([{ entries: [3, 5], indexed: 40n, ledger: 41n }]);
  });
  it('an indexer inventing a payout is caught', () => {
    const rows = rowsOfPayouts([payout('fake', [4], '999')]);
    expect(ledgerDisagreements(rows, [{ entry: 4, paid: 0n }])).toEqual([{ entries: [4], indexed: 999n, ledger: 0n }]);
  });
});

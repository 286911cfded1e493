// A contributor's earnings statement: every payout the program made into their payout accounts in
// a date range, as rows and as CSV (RFC 4180) for an accountant. Built from what the page already
// read for one wallet (each payout account's history), so no extra request is made.
import { formatAmount } from '../../format';

export type StatementPayout = { signature: string; time: number; amount: bigint };
export type StatementSource = { entry: number; destination: string; history: StatementPayout[] };
export type StatementRow = { time: number; signature: string; payoutAccount: string; entries: number[]; amount: bigint };

/** Unix seconds of a `YYYY-MM-DD` day's start (UTC), or null for an empty or malformed value. */
export function dayStart(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const t = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(t) ? t / 1000 : null;
}

/** The payouts in [from, to] (days, UTC, both inclusive; empty = open), oldest first. A payout
 * account shared by several contributions appears once per payout, naming all of them (a payout
 * into a shared account cannot be split between them). */
export function statementRows(sources: StatementSource[], from: string, to: string): StatementRow[] {
  const start = dayStart(from) ?? -Infinity;
  const endDay = dayStart(to);
  const end = endDay === null ? Infinity : endDay + 86_400;
  const rows = new Map<string, StatementRow>();
  for (const s of sources) {
    for (const p of s.history) {
      if (p.time < start || p.time >= end) continue;
      const key = `${s.destination}:${p.signature}`;
      const row = rows.get(key);
      if (row) {
        if (!row.entries.includes(s.entry)) row.entries.push(s.entry);
      } else {
        rows.set(key, { time: p.time, signature: p.signature, payoutAccount: s.destination, entries: [s.entry], amount: p.amount });
      }
    }
  }
  return [...rows.values()].sort((a, b) => a.time - b.time || a.signature.localeCompare(b.signature)).map((r) => ({ ...r, entries: r.entries.sort((a, b) => a - b) }));
}

/** One CSV field: quoted when it holds a comma, quote or line break; a leading =, +, - or @ gets a
 * ' so that a spreadsheet never runs it as a formula. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function statementCsv(rows: StatementRow[], pool: string, mint: string, decimals: number): string {
  const header = ['date_utc', 'pool', 'mint', 'payout_account', 'entries', 'amount', 'amount_base_units', 'signature'];
  const lines = rows.map((r) =>
    [new Date(r.time * 1000).toISOString(), pool, mint, r.payoutAccount, r.entries.join(' '), formatAmount(r.amount, decimals).replace(/,/g, ''), r.amount.toString(), r.signature]
      .map(csvField)
      .join(','),
  );
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}

// A typed client of `tributary-index`'s HTTP API. The types are generated from the OpenAPI document
// the service serves (indexer.generated.ts); this file only builds URLs, checks answers and follows
// pages. Amounts are strings of base units: `BigInt(payout.amount)`.
import type { components, operations } from './indexer.generated';

export type IndexerSchemas = components['schemas'];
export type IndexerStatus = IndexerSchemas['Status'];
export type IndexerPayout = IndexerSchemas['Payout'];
export type IndexerEarning = IndexerSchemas['Earning'];
export type IndexerPoolTotals = IndexerSchemas['PoolTotals'];
export type IndexerDay = IndexerSchemas['Day'];
export type IndexerCrankBatch = IndexerSchemas['CrankBatch'];
export type IndexerEntry = IndexerSchemas['Entry'];
export type IndexerTopContributor = IndexerSchemas['TopContributor'];

/** One page of a list and the cursor of the next (`null` on the last). */
export type IndexerPage<T> = { items: T[]; next: string | null };

type Query<O extends keyof operations> = operations[O] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
export type WalletPayoutsQuery = Omit<Query<'getWalletPayouts'>, 'format'>;
export type WalletEarningsQuery = Omit<Query<'getWalletEarnings'>, 'format'>;
export type PoolDailyQuery = Omit<Query<'getPoolDaily'>, 'format'>;
export type PoolCrankBatchesQuery = Omit<Query<'getPoolCrankBatches'>, 'format'>;
export type PoolEntriesQuery = Omit<Query<'getPoolEntries'>, 'format'>;
export type PoolTopContributorsQuery = Omit<Query<'getPoolTopContributors'>, 'format'>;

/** The API refused a request (`status` 4xx with its named reason) or failed (5xx). */
export class IndexerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'IndexerError';
  }
}

export type IndexerClientOptions = {
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Each request's limit in milliseconds (default 15,000). */
  timeoutMs?: number;
};

/** The client of one indexer at `baseUrl` (e.g. `http://127.0.0.1:8787`). */
export function createIndexerClient(baseUrl: string, options: IndexerClientOptions = {}) {
  const root = baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 15_000;

  const url = (path: string, query: Record<string, string | number | undefined> = {}): string => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(key, String(value));
    const s = search.toString();
    return `${root}${path}${s ? `?${s}` : ''}`;
  };
  const request = async (target: string): Promise<Response> => {
    const response = await doFetch(target, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      let reason = response.statusText;
      try {
        reason = ((await response.json()) as { error?: string }).error ?? reason;
      } catch {
        // not JSON: keep the status text
      }
      throw new IndexerError(response.status, `indexer ${response.status}: ${reason}`);
    }
    return response;
  };
  const json = async <T>(path: string, query?: Record<string, string | number | undefined>): Promise<T> => (await request(url(path, query))).json() as Promise<T>;
  const csv = async (path: string, query?: Record<string, string | number | undefined>): Promise<string> => (await request(url(path, { ...query, format: 'csv' }))).text();
  const wallet = (w: string) => `/v1/wallets/${encodeURIComponent(w)}`;
  const pool = (p: string) => `/v1/pools/${encodeURIComponent(p)}`;

  return {
    baseUrl: root,
    status: () => json<IndexerStatus>('/v1/status'),
    walletPayouts: (w: string, q: WalletPayoutsQuery = {}) => json<IndexerPage<IndexerPayout>>(`${wallet(w)}/payouts`, q),
    /** Every page of a wallet's statement, following `next` (at most `maxPages` of `limit`). */
    allWalletPayouts: async (w: string, q: Omit<WalletPayoutsQuery, 'after'> = {}, maxPages = 100): Promise<IndexerPayout[]> => {
      const out: IndexerPayout[] = [];
      let after: string | undefined;
      for (let page = 0; page < maxPages; page++) {
        const { items, next } = await json<IndexerPage<IndexerPayout>>(`${wallet(w)}/payouts`, { limit: 1000, ...q, after });
        out.push(...items);
        if (!next) return out;
        after = next;
      }
      throw new IndexerError(0, `more than ${maxPages} pages: narrow the date range`);
    },
    walletPayoutsCsv: (w: string, q: WalletPayoutsQuery = {}) => csv(`${wallet(w)}/payouts`, q),
    /** A link that downloads the statement as CSV (every filter applies). */
    walletPayoutsCsvUrl: (w: string, q: WalletPayoutsQuery = {}) => url(`${wallet(w)}/payouts`, { ...q, format: 'csv' }),
    walletEarnings: (w: string, q: WalletEarningsQuery = {}) => json<IndexerPage<IndexerEarning>>(`${wallet(w)}/earnings`, q),
    poolTotals: (p: string) => json<IndexerPoolTotals>(`${pool(p)}/totals`),
    poolDaily: (p: string, q: PoolDailyQuery = {}) => json<IndexerPage<IndexerDay>>(`${pool(p)}/daily`, q),
    poolDailyCsv: (p: string, q: PoolDailyQuery = {}) => csv(`${pool(p)}/daily`, q),
    poolCrankBatches: (p: string, q: PoolCrankBatchesQuery = {}) => json<IndexerPage<IndexerCrankBatch>>(`${pool(p)}/crank-batches`, q),
    poolEntries: (p: string, q: PoolEntriesQuery = {}) => json<IndexerPage<IndexerEntry>>(`${pool(p)}/entries`, q),
    poolTopContributors: (p: string, q: PoolTopContributorsQuery = {}) => json<IndexerPage<IndexerTopContributor>>(`${pool(p)}/top-contributors`, q),
  };
}

export type IndexerClient = ReturnType<typeof createIndexerClient>;

// The subscriptions' invalidations on a real QueryClient: a burst costs one refetch, a change that
// arrives during a refetch is read after it (never lost, never cancelling it), failures are told.
import { describe, expect, it } from 'vitest';
import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { coalescedInvalidation, pollDelay } from '../src/live';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A query with one observer (so invalidation refetches it) whose reads take `ms` and are counted. */
function watched(queries: QueryClient, key: string[], ms: number, fail = () => false) {
  const reads = { started: 0, finished: 0 };
  const observer = new QueryObserver(queries, {
    queryKey: key,
    queryFn: async () => {
      reads.started += 1;
      await sleep(ms);
      if (fail()) throw new Error('endpoint down');
      reads.finished += 1;
      return reads.started;
    },
    staleTime: Infinity,
    retry: false,
  });
  const unsubscribe = observer.subscribe(() => {});
  return { reads, observer, unsubscribe };
}

describe('coalescedInvalidation', () => {
  it('reads a key once for a burst of notifications', async () => {
    const queries = new QueryClient();
    const pool = watched(queries, ['chain', 'x', 'pool', 'P'], 5);
    await sleep(20);
    expect(pool.reads.started).toBe(1);
    const abort = new AbortController();
    const inv = coalescedInvalidation(queries, abort.signal);
    for (let i = 0; i < 20; i++) inv.changed(['chain', 'x', 'pool', 'P']);
    await sleep(600);
    expect(pool.reads.started).toBe(2);
    pool.unsubscribe();
    abort.abort();
  });

  it('a change during a slow refetch is read after it, and the refetch is not cancelled', async () => {
    const queries = new QueryClient();
    const pool = watched(queries, ['chain', 'x', 'pool', 'P'], 1_500);
    await sleep(1_600);
    const abort = new AbortController();
    const inv = coalescedInvalidation(queries, abort.signal);
    inv.changed(['chain', 'x', 'pool', 'P']);
    await sleep(500); // the refetch is under way
    inv.changed(['chain', 'x', 'pool', 'P']);
    await sleep(700); // its window passed (at 900 ms), the refetch still runs (until 1,900 ms)
    expect(pool.reads).toEqual({ started: 2, finished: 1 });
    await sleep(2_800);
    // the second refetch began after the first had finished: both finished
    expect(pool.reads).toEqual({ started: 3, finished: 3 });
    pool.unsubscribe();
    abort.abort();
  }, 15_000);

  it('invalidates a whole prefix, and says when a refetch failed', async () => {
    const queries = new QueryClient();
    let down = false;
    const pool = watched(queries, ['chain', 'x', 'pool', 'P'], 1);
    const wallet = watched(queries, ['chain', 'x', 'pool', 'P', 'wallet', 'W'], 1, () => down);
    const other = watched(queries, ['chain', 'x', 'pool', 'Q'], 1);
    await sleep(20);
    const inv = coalescedInvalidation(queries, new AbortController().signal);
    expect(await inv.now([['chain', 'x', 'pool', 'P']])).toBe(true);
    expect([pool.reads.started, wallet.reads.started, other.reads.started]).toEqual([2, 2, 1]);
    down = true;
    expect(await inv.now([['chain', 'x', 'pool', 'P']])).toBe(false);
    down = false;
    expect(await inv.now([['chain', 'x', 'pool', 'P']])).toBe(true);
    for (const q of [pool, wallet, other]) q.unsubscribe();
  });
});

describe('pollDelay', () => {
  it('30 s, doubling per failed round, at most 5 minutes', () => {
    expect([0, 1, 2, 3, 4, 50].map(pollDelay)).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
  });
});

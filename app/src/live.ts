// Good RPC manners: what the page shows is read again when the chain says it changed (account and
// log subscriptions over the endpoint's WebSocket invalidate the query keys under it), never on a
// timer while those are up. Without a WebSocket the page polls the same keys, backing off while the
// reads fail (a rate-limited endpoint is asked less and less often, up to every 5 minutes).
import { useEffect, useMemo, useRef, useState } from 'react';
import { useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { createSolanaRpcSubscriptions, type Address } from '@solana/kit';

export type Subscriptions = ReturnType<typeof createSolanaRpcSubscriptions<string>>;

const COALESCE_MS = 400;
const POLL_MS = 30_000;
const MAX_BACKOFF_MS = 300_000;

export type LiveMode = 'connecting' | 'live' | 'polling';

/** One subscription: an account whose changes move `keys`, or a program's logs mentioning `logsOf`. */
export type Watch = { account: Address; keys: QueryKey } | { logsOf: Address; keys: QueryKey };

/** The delay of the next poll after `failures` failed ones in a row. */
export const pollDelay = (failures: number): number => Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** Math.min(failures, 10));

/**
 * Invalidations of query keys, coalesced: keys changed within one 400 ms window are invalidated
 * together once, and the next round waits for the refetches the last one started (so a burst costs
 * one read of each key, and a busy pool cannot keep a slow read cancelled forever).
 */
export function coalescedInvalidation(queries: QueryClient, signal: AbortSignal) {
  const pending = new Map<string, QueryKey>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let refetching: Promise<boolean> | null = null;
  signal.addEventListener('abort', () => clearTimeout(timer));
  /** Invalidates what is pending; resolves whether every refetch it started succeeded. */
  const flush = async (): Promise<boolean> => {
    timer = undefined;
    while (refetching) {
      await refetching;
      if (signal.aborted) return false;
    }
    const keys = [...pending.values()];
    pending.clear();
    if (keys.length === 0) return true;
    refetching = Promise.all(keys.map((queryKey) => queries.invalidateQueries({ queryKey }))).then(() =>
      keys.every((queryKey) => queries.getQueryCache().findAll({ queryKey }).every((q) => q.state.status !== 'error')),
    );
    try {
      return await refetching;
    } finally {
      refetching = null;
    }
  };
  const add = (keys: QueryKey) => pending.set(JSON.stringify(keys), keys);
  return {
    /** `keys` changed: invalidated within 400 ms, with whatever else changed by then. */
    changed(keys: QueryKey) {
      add(keys);
      timer ??= setTimeout(() => void flush(), COALESCE_MS);
    },
    /** Invalidates `keys` (and whatever is pending) now; resolves whether every refetch succeeded. */
    now(keys: QueryKey[]): Promise<boolean> {
      keys.forEach(add);
      clearTimeout(timer);
      return flush();
    },
  };
}

/**
 * Subscribes to every `watch` and invalidates its keys when it fires (coalesced, above). While
 * subscriptions are down, the keys are invalidated every 30 s instead, doubling the wait after each
 * failed round up to 5 minutes.
 */
export function useLiveInvalidation(subscriptions: Subscriptions | null, watch: Watch[]): LiveMode {
  const queries = useQueryClient();
  const [mode, setMode] = useState<LiveMode>('connecting');
  const watchRef = useRef(watch);
  watchRef.current = watch;
  const key = `${watch.map((w) => ('account' in w ? `a:${w.account}` : `l:${w.logsOf}`) + JSON.stringify(w.keys)).join(',')}`;

  useEffect(() => {
    if (watch.length === 0) return;
    const abort = new AbortController();
    const invalidation = coalescedInvalidation(queries, abort.signal);
    const changed = invalidation.changed;
    let poll: ReturnType<typeof setTimeout> | undefined;
    const fallBack = () => {
      if (abort.signal.aborted) return;
      setMode('polling');
      let failures = 0;
      const next = () => {
        poll = setTimeout(async () => {
          failures = (await invalidation.now(watchRef.current.map((w) => w.keys))) ? 0 : failures + 1;
          if (!abort.signal.aborted) next();
        }, pollDelay(failures));
      };
      next();
    };
    (async () => {
      try {
        if (!subscriptions) throw new Error('no WebSocket');
        const streams = await Promise.all(
          watchRef.current.map(async (w) => ({
            keys: w.keys,
            stream:
              'account' in w
                ? await subscriptions.accountNotifications(w.account, { commitment: 'confirmed', encoding: 'base64' }).subscribe({ abortSignal: abort.signal })
                : await subscriptions.logsNotifications({ mentions: [w.logsOf] }, { commitment: 'confirmed' }).subscribe({ abortSignal: abort.signal }),
          })),
        );
        setMode('live');
        // what changed between the first reads and the subscriptions starting
        for (const { keys } of streams) changed(keys);
        await Promise.all(
          streams.map(async ({ keys, stream }) => {
            for await (const _ of stream) changed(keys);
          }),
        );
        fallBack();
      } catch {
        fallBack();
      }
    })();
    return () => {
      abort.abort();
      clearTimeout(poll);
    };
    // `key` stands for what is watched
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, subscriptions, queries]);
  return watch.length === 0 ? 'connecting' : mode;
}

/** The endpoint's WebSocket client, one per page and URL (its subscriptions share one connection);
 * null when the URL is not one, and the page polls. */
export function useSubscriptions(wsUrl: string): Subscriptions | null {
  return useMemo(() => {
    try {
      return createSolanaRpcSubscriptions(wsUrl);
    } catch {
      return null;
    }
  }, [wsUrl]);
}

// Good RPC manners: the page reloads what it shows when the chain says something changed (account
// and log subscriptions over the endpoint's WebSocket), never on a timer while those are up. Reloads
// never overlap (one asked for during a reload runs once after it); bursts of notifications are
// coalesced. Without a WebSocket the page polls, backing off on errors (a rate-limited endpoint is
// asked less and less often, up to every 5 minutes).
import { useEffect, useRef, useState } from 'react';
import { createSolanaRpcSubscriptions, type Address } from '@solana/kit';

const COALESCE_MS = 400;
const POLL_MS = 30_000;
const MAX_BACKOFF_MS = 300_000;

export type LiveState = { mode: 'connecting' | 'live' | 'polling'; refreshing: boolean };

/**
 * Runs `reload` now, whenever an account in `watch` changes or a transaction mentions `logsOf`, and
 * (only when subscriptions are down) every 30 s. `reload` resolves false when it failed, to back off.
 */
export function useLiveReload(wsUrl: string, watch: Address[], logsOf: Address | null, reload: () => Promise<boolean>): LiveState {
  const [state, setState] = useState<LiveState>({ mode: 'connecting', refreshing: false });
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  const scheduler = useRef<{ running: boolean; again: boolean; timer?: ReturnType<typeof setTimeout>; soon?: () => void }>({ running: false, again: false });
  const key = `${wsUrl}|${watch.join(',')}|${logsOf ?? ''}`;

  useEffect(() => {
    const abort = new AbortController();
    const s = scheduler.current;
    if (watch.length === 0 && !logsOf) {
      // nothing to watch (no pool on the page): load once
      void reloadRef.current();
      return () => abort.abort();
    }
    let failures = 0;
    let live = false;
    let poll: ReturnType<typeof setTimeout> | undefined;

    const run = async () => {
      if (s.running) {
        s.again = true;
        return;
      }
      s.running = true;
      setState((st) => ({ ...st, refreshing: true }));
      try {
        do {
          s.again = false;
          const ok = await reloadRef.current();
          failures = ok ? 0 : failures + 1;
        } while (s.again && !abort.signal.aborted);
      } finally {
        s.running = false;
        if (!abort.signal.aborted) setState((st) => ({ ...st, refreshing: false }));
      }
    };
    const soon = () => {
      clearTimeout(s.timer);
      s.timer = setTimeout(run, COALESCE_MS);
    };
    s.soon = soon;
    const schedulePoll = () => {
      clearTimeout(poll);
      if (live || abort.signal.aborted) return;
      const wait = Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** failures);
      poll = setTimeout(async () => {
        await run();
        schedulePoll();
      }, wait);
    };
    const fallBack = () => {
      if (abort.signal.aborted) return;
      live = false;
      setState((st) => ({ ...st, mode: 'polling' }));
      schedulePoll();
    };

    (async () => {
      await run();
      try {
        const subscriptions = createSolanaRpcSubscriptions(wsUrl);
        const streams = await Promise.all([
          ...watch.map((a) => subscriptions.accountNotifications(a, { commitment: 'confirmed', encoding: 'base64' }).subscribe({ abortSignal: abort.signal })),
          ...(logsOf ? [subscriptions.logsNotifications({ mentions: [logsOf] }, { commitment: 'confirmed' }).subscribe({ abortSignal: abort.signal })] : []),
        ]);
        live = true;
        setState((st) => ({ ...st, mode: 'live' }));
        // what changed between the first load and the subscriptions starting
        soon();
        await Promise.all(
          streams.map(async (stream) => {
            for await (const _ of stream) soon();
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
      clearTimeout(s.timer);
    };
    // `key` stands for wsUrl, watch and logsOf
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  // a new `reload` (what the page shows changed: another wallet account) loads once more
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    scheduler.current.soon?.();
  }, [reload]);
  return state;
}

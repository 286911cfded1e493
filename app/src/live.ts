// Good RPC manners: the page reloads what it shows when the chain says something changed (account
// and log subscriptions over the endpoint's WebSocket), never on a timer while those are up. Reloads
// never overlap (one asked for during a reload runs once after it, with what the page shows by
// then); bursts of notifications are coalesced. Without a WebSocket the page polls, backing off on
// errors (a rate-limited endpoint is asked less and less often, up to every 5 minutes).
import { useEffect, useRef, useState } from 'react';
import { createSolanaRpcSubscriptions, type Address } from '@solana/kit';

const COALESCE_MS = 400;
const POLL_MS = 30_000;
const MAX_BACKOFF_MS = 300_000;

export type LiveState = { mode: 'connecting' | 'live' | 'polling'; refreshing: boolean };

/** Single-flight reloads: at most one runs; asking during one runs one more after it. */
function createScheduler(reload: () => Promise<boolean>, onBusy: (busy: boolean) => void) {
  let running = false;
  let again = false;
  let active = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  const run = async () => {
    if (!active) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    onBusy(true);
    try {
      do {
        again = false;
        failures = (await reload()) ? 0 : failures + 1;
      } while (again && active);
    } finally {
      running = false;
      if (active) onBusy(false);
    }
  };
  return {
    run,
    soon() {
      clearTimeout(timer);
      timer = setTimeout(run, COALESCE_MS);
    },
    failures: () => failures,
    start() {
      active = true;
    },
    stop() {
      active = false;
      clearTimeout(timer);
    },
  };
}

/**
 * Runs `reload` now and whenever it changes (what the page shows changed), whenever an account in
 * `watch` changes or a transaction mentions `logsOf`, and — only while subscriptions are down —
 * every 30 s. `reload` resolves false when it failed, to back off.
 */
export function useLiveReload(wsUrl: string, watch: Address[], logsOf: Address | null, reload: () => Promise<boolean>): LiveState {
  const [state, setState] = useState<LiveState>({ mode: 'connecting', refreshing: false });
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  const scheduler = useRef<ReturnType<typeof createScheduler> | null>(null);
  scheduler.current ??= createScheduler(
    () => reloadRef.current(),
    (refreshing) => setState((s) => ({ ...s, refreshing })),
  );
  const s = scheduler.current;
  useEffect(() => {
    s.start();
    return () => s.stop();
  }, [s]);

  // the first load at once; after that, a new `reload` (another wallet account) loads once more
  const loaded = useRef(false);
  useEffect(() => {
    if (loaded.current) s.soon();
    else void s.run();
    loaded.current = true;
  }, [reload, s]);

  const key = `${wsUrl}|${watch.join(',')}|${logsOf ?? ''}`;
  useEffect(() => {
    if (watch.length === 0 && !logsOf) return;
    const abort = new AbortController();
    let poll: ReturnType<typeof setTimeout> | undefined;
    const schedulePoll = () => {
      if (abort.signal.aborted) return;
      poll = setTimeout(
        async () => {
          await s.run();
          schedulePoll();
        },
        Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** s.failures()),
      );
    };
    const fallBack = () => {
      if (abort.signal.aborted) return;
      setState((st) => ({ ...st, mode: 'polling' }));
      schedulePoll();
    };
    (async () => {
      try {
        const subscriptions = createSolanaRpcSubscriptions(wsUrl);
        const streams = await Promise.all([
          ...watch.map((a) => subscriptions.accountNotifications(a, { commitment: 'confirmed', encoding: 'base64' }).subscribe({ abortSignal: abort.signal })),
          ...(logsOf ? [subscriptions.logsNotifications({ mentions: [logsOf] }, { commitment: 'confirmed' }).subscribe({ abortSignal: abort.signal })] : []),
        ]);
        setState((st) => ({ ...st, mode: 'live' }));
        // what changed between the last load and the subscriptions starting
        s.soon();
        await Promise.all(
          streams.map(async (stream) => {
            for await (const _ of stream) s.soon();
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
    // `key` stands for wsUrl, watch and logsOf
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, s]);
  return state;
}

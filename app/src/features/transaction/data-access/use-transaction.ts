// Sending one of the app's transactions (TanStack Query's useMutation): one at a time, the fee
// shown before the wallet is asked, a choice when the RPC suggests a price above the cap, the
// outcome as a message, and the pool's queries read again once it landed.
import { useCallback, useMemo, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Address } from '@solana/kit';
import { explain, type SendContext } from '../../../chain';
import type { FeeQuote } from '../../../fees';
import { queryKeys } from '../../../query-keys';

export type Message = { kind: 'ok' | 'error'; text: string; signature?: string } | null;
type Send = { label: string; action: () => Promise<string> };

export function useTransaction(rpcUrl: string, pool: Address | null) {
  const queries = useQueryClient();
  const [message, setMessage] = useState<Message>(null);
  // the fee of the transaction being signed (shown before the wallet asks), and a pending choice
  // when the RPC suggests a price above the cap
  const [fee, setFee] = useState<FeeQuote | null>(null);
  const [feeChoice, setFeeChoice] = useState<{ quote: FeeQuote; resolve: (q: FeeQuote | null) => void } | null>(null);
  const fees: SendContext['fees'] = useMemo(
    () => ({ show: setFee, choose: (quote) => new Promise<FeeQuote | null>((resolve) => setFeeChoice({ quote, resolve })) }),
    [],
  );
  const mutation = useMutation({
    mutationFn: async ({ label, action }: Send) => ({ label, signature: await action() }),
    onMutate: () => {
      setMessage(null);
      setFee(null);
    },
    // the mutation stays pending (its buttons disabled) until what it changed has been read again
    onSuccess: async ({ label, signature }) => {
      setMessage({ kind: 'ok', text: `${label}: confirmed`, signature });
      if (pool) await queries.invalidateQueries({ queryKey: queryKeys.pool(rpcUrl, pool) });
    },
    onError: (e) => setMessage({ kind: 'error', text: explain(e) }),
    onSettled: () => {
      setFee(null);
      setFeeChoice(null);
    },
  });
  const { mutate } = mutation;
  const run = useCallback((label: string, action: () => Promise<string>) => mutate({ label, action }), [mutate]);
  const decideFee = useCallback(
    (choice: FeeQuote | null) => {
      feeChoice?.resolve(choice);
      setFeeChoice(null);
    },
    [feeChoice],
  );
  const showError = useCallback((e: unknown) => setMessage({ kind: 'error', text: explain(e) }), []);
  return { run, busy: mutation.isPending, message, dismiss: () => setMessage(null), showError, fee, feeChoice, decideFee, fees };
}

export type Transaction = ReturnType<typeof useTransaction>;

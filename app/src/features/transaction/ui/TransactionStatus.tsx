// Above the panels: the fee choice when the RPC suggests a price above the cap, the fee of the
// transaction the wallet is asked to sign, and the outcome of the last one.
import { explorerUrl, type Config } from '../../../config';
import { formatLamports, quoteAt } from '../../../fees';
import { short } from '../../../format';
import type { Transaction } from '../data-access/use-transaction';

export function TransactionStatus({ cfg, tx }: { cfg: Config; tx: Transaction }) {
  const { feeChoice, fee, busy, message, decideFee, dismiss } = tx;
  return (
    <>
      {feeChoice && (
        <div className="consent" data-testid="fee-choice" role="alertdialog" aria-label="Priority fee above your cap">
          <p>
            The RPC endpoint suggests a priority fee of {feeChoice.quote.suggested.toLocaleString('en-US')} micro-lamports per compute unit,
            above this app's cap of {feeChoice.quote.cap.toLocaleString('en-US')}. At the suggestion this transaction costs{' '}
            <strong data-testid="fee-suggested-total">{formatLamports(quoteAt(feeChoice.quote, feeChoice.quote.suggested).total)}</strong> in fees; at
            the cap <strong data-testid="fee-cap-total">{formatLamports(quoteAt(feeChoice.quote, feeChoice.quote.cap).total)}</strong> (it may land
            later when the network is busy).
          </p>
          <button data-testid="fee-at-cap" onClick={() => decideFee(quoteAt(feeChoice.quote, feeChoice.quote.cap))}>
            Send at the cap
          </button>{' '}
          <button data-testid="fee-above-cap" onClick={() => decideFee(quoteAt(feeChoice.quote, feeChoice.quote.suggested))}>
            Pay the suggested fee
          </button>{' '}
          <button data-testid="fee-cancel" onClick={() => decideFee(null)}>
            Cancel
          </button>
        </div>
      )}
      {busy && fee && (
        <div className="message ok" data-testid="fee" role="status">
          <span>
            Network fee {formatLamports(fee.total)} ({formatLamports(fee.base)} base + {formatLamports(fee.priority)} priority at{' '}
            {fee.price.toString()} micro-lamports per compute unit): approve in your wallet.
          </span>
        </div>
      )}
      {message && (
        <div className={`message ${message.kind}`} data-testid="message" role="status">
          <span>
            {message.text}
            {message.signature && (
              <>
                {' '}(<a data-testid="explorer-link" href={explorerUrl(cfg, 'tx', message.signature)} target="_blank" rel="noreferrer">view {short(message.signature)} in the explorer</a>)
              </>
            )}
          </span>
          <button className="dismiss" data-testid="dismiss" aria-label="Dismiss" onClick={dismiss}>
            ×
          </button>
        </div>
      )}
    </>
  );
}

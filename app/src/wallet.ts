// Wallets through the Wallet Standard: Phantom and every other standard wallet register
// themselves with the page; we list those that can connect and sign Solana transactions.
import { getWallets } from '@wallet-standard/app';
import type { Wallet, WalletAccount } from '@wallet-standard/base';
import { StandardConnect, type StandardConnectFeature, StandardEvents, type StandardEventsFeature } from '@wallet-standard/features';
import { SolanaSignTransaction, type SolanaSignTransactionFeature } from '@solana/wallet-standard-features';

export type { Wallet, WalletAccount };

export function isUsable(wallet: Wallet): boolean {
  return StandardConnect in wallet.features && SolanaSignTransaction in wallet.features && wallet.chains.some((c) => c.startsWith('solana:'));
}

/** Current usable wallets, and a subscription to changes. */
export function watchWallets(onChange: (wallets: Wallet[]) => void): () => void {
  const registry = getWallets();
  const emit = () => onChange(registry.get().filter(isUsable));
  emit();
  const offRegister = registry.on('register', emit);
  const offUnregister = registry.on('unregister', emit);
  return () => {
    offRegister();
    offUnregister();
  };
}

export async function connect(wallet: Wallet): Promise<WalletAccount> {
  const { accounts } = await (wallet.features as StandardConnectFeature)[StandardConnect].connect();
  const account = accounts.find((a) => a.chains.some((c) => c.startsWith('solana:')));
  if (!account) throw new Error(`${wallet.name} has no Solana account`);
  return account;
}

export function onAccountsChanged(wallet: Wallet, listener: () => void): () => void {
  const events = (wallet.features as Partial<StandardEventsFeature>)[StandardEvents];
  return events ? events.on('change', listener) : () => {};
}

/** Ask the wallet to sign a serialized transaction; returns the signed bytes. */
export async function signTransaction(wallet: Wallet, account: WalletAccount, chain: string, transaction: Uint8Array): Promise<Uint8Array> {
  const feature = (wallet.features as SolanaSignTransactionFeature)[SolanaSignTransaction];
  const [output] = await feature.signTransaction({ account, chain: chain as `${string}:${string}`, transaction });
  return output.signedTransaction;
}

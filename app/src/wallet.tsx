// Wallets through the Wallet Standard's React bindings: @wallet-standard/react lists the wallets
// that registered with the page (Phantom and every other standard wallet) and connects/disconnects
// them; this file keeps the chosen account (restored on reload) and signs through the account's
// Solana features. (@solana/react did that before; it has no release for @solana/kit 8, the one
// Solana stack of this repository.)
// The app sends with `solana:signAndSendTransaction` where the wallet offers it for the app's
// cluster (Phantom does), else it has the wallet sign and sends through its own endpoint.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  getUiWalletAccountStorageKey,
  getWalletAccountFeature,
  getWalletFeature,
  uiWalletAccountBelongsToUiWallet,
  uiWalletAccountsAreSame,
  useConnect,
  useDisconnect,
  useWallets,
  type UiWallet,
  type UiWalletAccount,
} from '@wallet-standard/react';
// the registry's own way from an account as the UI sees it to the wallet's account object, which
// the wallet's feature calls take (what every Wallet Standard binding does)
import { getWalletAccountForUiWalletAccount_DO_NOT_USE_OR_YOU_WILL_BE_FIRED as standardAccountOf } from '@wallet-standard/ui-registry';
import { StandardConnect, StandardDisconnect, type StandardConnectFeature } from '@wallet-standard/features';
import {
  SolanaSignAndSendTransaction,
  SolanaSignTransaction,
  type SolanaSignAndSendTransactionFeature,
  type SolanaSignTransactionFeature,
} from '@solana/wallet-standard-features';

export type { UiWallet, UiWalletAccount };

const STORAGE_KEY = 'tributary:wallet-account';

/** A wallet the app can use: it connects and signs Solana transactions (any Solana chain: the cluster
 * is checked at the RPC endpoint, by genesis hash, not by what the wallet lists). */
export function isUsable(wallet: UiWallet): boolean {
  return wallet.features.includes(StandardConnect) && wallet.features.includes(SolanaSignTransaction) && wallet.chains.some((c) => c.startsWith('solana:'));
}

const stateSync = {
  getSelectedWallet: () => localStorage.getItem(STORAGE_KEY),
  storeSelectedWallet: (key: string) => localStorage.setItem(STORAGE_KEY, key),
  deleteSelectedWallet: () => localStorage.removeItem(STORAGE_KEY),
};

/** The remembered account's wallet name, from the stored key (`wallet:address`). */
const rememberedWalletName = () => stateSync.getSelectedWallet()?.split(':')[0] ?? null;

/** The account stored under `key` (`wallet:address`), if a usable wallet lists it now. */
function rememberedAccount(wallets: readonly UiWallet[], key: string | null): UiWalletAccount | undefined {
  const at = key?.indexOf(':') ?? -1;
  if (!key || at <= 0) return undefined;
  const [name, address] = [key.slice(0, at), key.slice(at + 1)];
  return wallets.find((w) => w.name === name)?.accounts.find((a) => a.address === address);
}

type Selection = readonly [UiWalletAccount | undefined, (account: UiWalletAccount | undefined) => void, readonly UiWallet[]];
const SelectionContext = createContext<Selection>([undefined, () => {}, []]);
const useSelectedWalletAccount = () => useContext(SelectionContext);

/**
 * The chosen account, remembered across reloads. Until someone chooses on this page, the
 * remembered account is selected whenever its wallet lists it (wallets register, and reconnect,
 * after the first render). The account handed out is always the wallet's current object for it;
 * when the wallet switched accounts, its first account; none when the wallet dropped it.
 */
function SelectedAccountProvider({ children }: { children: ReactNode }) {
  const all = useWallets();
  const wallets = useMemo(() => all.filter(isUsable), [all]);
  const chosen = useRef(false);
  const [selected, setSelected] = useState<UiWalletAccount | undefined>(() => rememberedAccount(wallets, stateSync.getSelectedWallet()));
  const choose = useCallback((account: UiWalletAccount | undefined) => {
    chosen.current = true;
    setSelected(account);
    if (account) stateSync.storeSelectedWallet(getUiWalletAccountStorageKey(account));
    else stateSync.deleteSelectedWallet();
  }, []);
  useEffect(() => {
    if (chosen.current) return;
    const remembered = rememberedAccount(wallets, stateSync.getSelectedWallet());
    if (remembered && !(selected && uiWalletAccountsAreSame(remembered, selected))) setSelected(remembered);
  }, [wallets, selected]);
  const current = useMemo(() => {
    if (!selected) return undefined;
    for (const wallet of wallets) {
      const same = wallet.accounts.find((a) => uiWalletAccountsAreSame(a, selected));
      if (same) return same;
      if (uiWalletAccountBelongsToUiWallet(selected, wallet) && wallet.accounts[0]) return wallet.accounts[0];
    }
    return undefined;
  }, [selected, wallets]);
  const value = useMemo<Selection>(() => [current, choose, wallets], [current, choose, wallets]);
  return <SelectionContext.Provider value={value}>{children}</SelectionContext.Provider>;
}

export function WalletProvider({ children }: { children: ReactNode }) {
  return (
    <SelectedAccountProvider>
      <SilentReconnect />
      {children}
    </SelectedAccountProvider>
  );
}

/**
 * On reload, ask the remembered wallet to reconnect without a prompt (`silent`): a wallet that still
 * trusts this site hands back its accounts and the provider restores the selection; one that does
 * not simply stays disconnected. Once per wallet per page load.
 */
function SilentReconnect() {
  const [account, , wallets] = useSelectedWalletAccount();
  const tried = useRef(new Set<string>());
  useEffect(() => {
    const name = rememberedWalletName();
    if (account || !name || tried.current.has(name)) return;
    const wallet = wallets.find((w) => w.name === name);
    if (!wallet || wallet.accounts.length > 0) return;
    const { connect } = getWalletFeature(wallet, StandardConnect) as StandardConnectFeature[typeof StandardConnect];
    // after this commit's effects: the wallet list subscribes to the wallet's `change` event in an
    // effect of the provider (a parent, so after this one); a wallet answering at once would
    // otherwise announce its accounts before anyone listens
    const timer = setTimeout(() => {
      tried.current.add(name);
      connect({ silent: true }).catch(() => {});
    }, 0);
    return () => clearTimeout(timer);
  }, [account, wallets]);
  return null;
}

/** The connected wallet and account, and how to connect, switch and disconnect. */
export function useWallet() {
  const [account, setAccount, wallets] = useSelectedWalletAccount();
  const wallet = useMemo(() => (account ? wallets.find((w) => uiWalletAccountBelongsToUiWallet(account, w)) ?? null : null), [account, wallets]);
  return { wallets, wallet, account: account ?? null, setAccount };
}

/** A connect button for one wallet: the first Solana account it hands back becomes the selection. */
export function ConnectButton({ wallet, onError }: { wallet: UiWallet; onError: (e: unknown) => void }) {
  const [connecting, connect] = useConnect(wallet);
  const { setAccount } = useWallet();
  const onClick = useCallback(async () => {
    try {
      const accounts = await connect();
      const account = accounts.find((a) => a.chains.some((c) => c.startsWith('solana:')));
      if (!account) throw new Error(`${wallet.name} has no Solana account`);
      setAccount(account);
    } catch (e) {
      onError(e);
    }
  }, [connect, setAccount, wallet.name, onError]);
  return (
    <button data-testid={`connect-${wallet.name}`} disabled={connecting} onClick={onClick}>
      {connecting ? `Connecting ${wallet.name}…` : `Connect ${wallet.name}`}
    </button>
  );
}

/** Forget the account here and, where the wallet offers `standard:disconnect`, there too. */
export function DisconnectButton({ wallet }: { wallet: UiWallet }) {
  return wallet.features.includes(StandardDisconnect) ? <DisconnectWithWallet wallet={wallet} /> : <ForgetButton />;
}
function DisconnectWithWallet({ wallet }: { wallet: UiWallet }) {
  const [disconnecting, disconnect] = useDisconnect(wallet);
  const { setAccount } = useWallet();
  return (
    <button data-testid="disconnect" disabled={disconnecting} onClick={() => disconnect().catch(() => {}).finally(() => setAccount(undefined))}>
      Disconnect
    </button>
  );
}
function ForgetButton() {
  const { setAccount } = useWallet();
  return (
    <button data-testid="disconnect" onClick={() => setAccount(undefined)}>
      Disconnect
    </button>
  );
}

/** How a transaction reaches the cluster: the wallet sends it (signature back), or signs it and the app sends. */
export type Sender =
  | { mode: 'signAndSend'; signAndSend: (transaction: Uint8Array) => Promise<Uint8Array> }
  | { mode: 'sign'; sign: (transaction: Uint8Array) => Promise<Uint8Array> };

const SenderContext = createContext<Sender | null>(null);
export const useSender = () => useContext(SenderContext);

/**
 * Provides the Sender of `account`. signAndSend only when the account lists the app's chain: the
 * wallet then sends on that cluster, the one the app checked by genesis hash. Otherwise the wallet
 * signs (for a chain it lists: a wallet listing only devnet still signs for a local cluster) and the
 * app sends through its endpoint.
 */
export function SenderProvider({ account, chain, children }: { account: UiWalletAccount | null; chain: `solana:${string}`; children: ReactNode }) {
  if (!account) return <SenderContext.Provider value={null}>{children}</SenderContext.Provider>;
  if (account.features.includes(SolanaSignAndSendTransaction) && account.chains.includes(chain)) {
    return (
      <SignAndSend account={account} chain={chain}>
        {children}
      </SignAndSend>
    );
  }
  const signChain = account.chains.includes(chain) ? chain : (account.chains.find((c) => c.startsWith('solana:')) as `solana:${string}` | undefined);
  if (!signChain) return <SenderContext.Provider value={null}>{children}</SenderContext.Provider>;
  return (
    <SignOnly account={account} chain={signChain}>
      {children}
    </SignOnly>
  );
}
function SignAndSend({ account, chain, children }: { account: UiWalletAccount; chain: `solana:${string}`; children: ReactNode }) {
  const value = useMemo<Sender>(() => {
    const feature = getWalletAccountFeature(account, SolanaSignAndSendTransaction) as SolanaSignAndSendTransactionFeature[typeof SolanaSignAndSendTransaction];
    const standard = standardAccountOf(account);
    return {
      mode: 'signAndSend',
      signAndSend: async (transaction) => {
        const [sent] = await feature.signAndSendTransaction({ account: standard, chain, transaction });
        return sent.signature;
      },
    };
  }, [account, chain]);
  return <SenderContext.Provider value={value}>{children}</SenderContext.Provider>;
}
function SignOnly({ account, chain, children }: { account: UiWalletAccount; chain: `solana:${string}`; children: ReactNode }) {
  const value = useMemo<Sender>(() => {
    const feature = getWalletAccountFeature(account, SolanaSignTransaction) as SolanaSignTransactionFeature[typeof SolanaSignTransaction];
    const standard = standardAccountOf(account);
    return {
      mode: 'sign',
      sign: async (transaction) => {
        const [signed] = await feature.signTransaction({ account: standard, chain, transaction });
        return signed.signedTransaction;
      },
    };
  }, [account, chain]);
  return <SenderContext.Provider value={value}>{children}</SenderContext.Provider>;
}

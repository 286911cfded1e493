// Wallets through the Wallet Standard's React bindings: @wallet-standard/react lists the wallets
// that registered with the page (Phantom and every other standard wallet) and connects/disconnects
// them; @solana/react keeps the chosen account (restored on reload) and gives the signing hooks.
// The app sends with `solana:signAndSendTransaction` where the wallet offers it for the app's
// cluster (Phantom does), else it has the wallet sign and sends through its own endpoint.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { SelectedWalletAccountContextProvider, useSelectedWalletAccount, useSignAndSendTransaction, useSignTransaction } from '@solana/react';
import {
  getWalletFeature,
  uiWalletAccountBelongsToUiWallet,
  useConnect,
  useDisconnect,
  type UiWallet,
  type UiWalletAccount,
} from '@wallet-standard/react';
import { StandardConnect, StandardDisconnect, type StandardConnectFeature } from '@wallet-standard/features';
import { SolanaSignAndSendTransaction, SolanaSignTransaction } from '@solana/wallet-standard-features';

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

/** The remembered account's wallet name, from the key @solana/react stores (`wallet:address`). */
const rememberedWalletName = () => stateSync.getSelectedWallet()?.split(':')[0] ?? null;

export function WalletProvider({ children }: { children: ReactNode }) {
  return (
    <SelectedWalletAccountContextProvider filterWallets={isUsable} stateSync={stateSync}>
      <SilentReconnect />
      {children}
    </SelectedWalletAccountContextProvider>
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
  const signAndSend = useSignAndSendTransaction(account, chain);
  const value = useMemo<Sender>(() => ({ mode: 'signAndSend', signAndSend: async (transaction) => (await signAndSend({ transaction })).signature }), [signAndSend]);
  return <SenderContext.Provider value={value}>{children}</SenderContext.Provider>;
}
function SignOnly({ account, chain, children }: { account: UiWalletAccount; chain: `solana:${string}`; children: ReactNode }) {
  const sign = useSignTransaction(account, chain);
  const value = useMemo<Sender>(() => ({ mode: 'sign', sign: async (transaction) => (await sign({ transaction })).signedTransaction }), [sign]);
  return <SenderContext.Provider value={value}>{children}</SenderContext.Provider>;
}

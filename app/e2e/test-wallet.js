// A Wallet Standard wallet injected into the page before the app loads (Playwright addInitScript),
// standing in for Phantom, whose extension cannot be installed in CI. It holds an Ed25519 key in
// WebCrypto and signs exactly as a wallet does: the transaction's message bytes, placed at the
// account's signer index. `window.__testWallet.rejectNext = true` makes it refuse once, as a
// person pressing "Reject" would.
// eslint-disable-next-line no-unused-vars
function installTestWallet({ seed, publicKey, address, chain }) {
  const PKCS8_ED25519_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
  const keyPromise = crypto.subtle.importKey('pkcs8', new Uint8Array([...PKCS8_ED25519_PREFIX, ...seed]), { name: 'Ed25519' }, false, ['sign']);
  const control = { rejectNext: false, signed: 0 };
  window.__testWallet = control;
  const account = Object.freeze({
    address,
    publicKey: new Uint8Array(publicKey),
    chains: [chain],
    features: ['solana:signTransaction'],
  });
  const listeners = new Set();

  async function signOne({ transaction }) {
    if (control.rejectNext) {
      control.rejectNext = false;
      const error = new Error('User rejected the request.');
      error.code = 4001;
      throw error;
    }
    const bytes = new Uint8Array(transaction);
    const signatureCount = bytes[0]; // short-vec, < 128 here
    const messageStart = 1 + 64 * signatureCount;
    const message = bytes.slice(messageStart);
    let p = message[0] & 0x80 ? 1 : 0; // versioned message prefix
    const required = message[p];
    p += 3;
    const keyCount = message[p];
    p += 1;
    let index = -1;
    for (let i = 0; i < Math.min(required, keyCount); i++) {
      const key = message.slice(p + 32 * i, p + 32 * (i + 1));
      if (key.every((b, j) => b === publicKey[j])) index = i;
    }
    if (index < 0) throw new Error('this transaction does not need the wallet signature');
    const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, await keyPromise, message));
    const signed = bytes.slice();
    signed.set(signature, 1 + 64 * index);
    control.signed += 1;
    return { signedTransaction: signed };
  }

  const wallet = {
    version: '1.0.0',
    name: 'Test Wallet',
    icon: 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiLz4=',
    chains: [chain],
    accounts: [],
    features: {
      'standard:connect': {
        version: '1.0.0',
        connect: async () => {
          wallet.accounts = [account];
          listeners.forEach((l) => l({ accounts: wallet.accounts }));
          return { accounts: wallet.accounts };
        },
      },
      'standard:events': {
        version: '1.0.0',
        on: (event, listener) => {
          if (event !== 'change') return () => {};
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
      'solana:signTransaction': {
        version: '1.0.0',
        supportedTransactionVersions: ['legacy', 0],
        signTransaction: async (...inputs) => Promise.all(inputs.map(signOne)),
      },
    },
  };

  // the Wallet Standard registration handshake, from both sides of the race
  const register = ({ register }) => register(wallet);
  try {
    window.dispatchEvent(new CustomEvent('wallet-standard:register-wallet', { detail: register }));
  } catch (e) {
    console.error('wallet registration failed', e);
  }
  window.addEventListener('wallet-standard:app-ready', ({ detail: api }) => register(api));
}

// A Wallet Standard wallet injected into the page before the app loads (Playwright addInitScript),
// standing in for Phantom, whose extension cannot be installed in CI. It holds Ed25519 keys in
// WebCrypto and signs exactly as a wallet does: the transaction's message bytes, placed at the
// account's signer index. Like Phantom it shows one account at a time (`switchTo(i)` changes it and
// tells the page), remembers that the site was approved (a `silent` connect after a reload hands the
// account back without a prompt), can disconnect, and — with `signAndSend` — sends what it signs
// itself (to `rpcUrl`, as Phantom sends through its own RPC). `window.__testWallet.rejectNext = true`
// makes it refuse once, as a person pressing "Reject" would.
// eslint-disable-next-line no-unused-vars
function installTestWallet({ keys, chains, signAndSend, rpcUrl, name = 'Test Wallet' }) {
  const PKCS8_ED25519_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
  const signers = keys.map((k) => crypto.subtle.importKey('pkcs8', new Uint8Array([...PKCS8_ED25519_PREFIX, ...k.seed]), { name: 'Ed25519' }, false, ['sign']));
  const features = ['solana:signTransaction', ...(signAndSend ? ['solana:signAndSendTransaction'] : [])];
  const accounts = keys.map((k) => Object.freeze({ address: k.address, publicKey: new Uint8Array(k.publicKey), chains, features }));
  const APPROVED = `test-wallet:approved:${name}`;
  let current = 0;
  const control = { rejectNext: false, signed: 0, sentByWallet: 0, connects: 0, silentConnects: 0 };
  window.__testWallet = control;
  const listeners = new Set();
  const emit = () => listeners.forEach((l) => l({ accounts: wallet.accounts }));

  async function sign(transaction, account) {
    if (control.rejectNext) {
      control.rejectNext = false;
      const error = new Error('User rejected the request.');
      error.code = 4001;
      throw error;
    }
    const keyIndex = accounts.findIndex((a) => a.address === account.address);
    if (keyIndex < 0) throw new Error('unknown account');
    const publicKey = keys[keyIndex].publicKey;
    const bytes = new Uint8Array(transaction);
    const signatureCount = bytes[0]; // short-vec, < 128 here
    const message = bytes.slice(1 + 64 * signatureCount);
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
    const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, await signers[keyIndex], message));
    const signed = bytes.slice();
    signed.set(signature, 1 + 64 * index);
    control.signed += 1;
    return { signed, signature };
  }

  async function sendRaw(signed) {
    const wire = btoa(String.fromCharCode(...signed));
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sendTransaction', params: [wire, { encoding: 'base64', preflightCommitment: 'confirmed' }] }),
    });
    const body = await response.json();
    if (body.error) throw new Error(`wallet send failed: ${body.error.message}`);
    control.sentByWallet += 1;
  }

  const wallet = {
    version: '1.0.0',
    name,
    icon: 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiLz4=',
    chains,
    accounts: [],
    features: {
      'standard:connect': {
        version: '1.0.0',
        connect: async ({ silent } = {}) => {
          if (silent) {
            control.silentConnects += 1;
            if (!localStorage.getItem(APPROVED)) return { accounts: [] };
          } else {
            control.connects += 1;
            localStorage.setItem(APPROVED, '1');
          }
          wallet.accounts = [accounts[current]];
          emit();
          return { accounts: wallet.accounts };
        },
      },
      'standard:disconnect': {
        version: '1.0.0',
        disconnect: async () => {
          localStorage.removeItem(APPROVED);
          wallet.accounts = [];
          emit();
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
        signTransaction: async (...inputs) => Promise.all(inputs.map(async ({ transaction, account }) => ({ signedTransaction: (await sign(transaction, account)).signed }))),
      },
      ...(signAndSend
        ? {
            'solana:signAndSendTransaction': {
              version: '1.0.0',
              supportedTransactionVersions: ['legacy', 0],
              signAndSendTransaction: async (...inputs) =>
                Promise.all(
                  inputs.map(async ({ transaction, account, chain }) => {
                    if (!chains.includes(chain)) throw new Error(`this wallet does not send on ${chain}`);
                    const { signed, signature } = await sign(transaction, account);
                    await sendRaw(signed);
                    return { signature };
                  }),
                ),
            },
          }
        : {}),
    },
  };
  /** The person switches accounts in the wallet: it shows another one and tells the page. */
  control.switchTo = (i) => {
    current = i;
    if (wallet.accounts.length) {
      wallet.accounts = [accounts[current]];
      emit();
    }
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

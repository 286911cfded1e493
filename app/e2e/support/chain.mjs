// The cluster side of the browser tests: the local validator's RPC, keypairs, airdrops, the
// operator's `tributary` CLI and the Anchor deploy script, mints and token accounts. Shared by the
// global setup (cluster.setup.mjs) and every test; what the setup started is read from
// TRIBUTARY_E2E (set by the setup).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AccountRole,
  address,
  appendTransactionMessageInstructions,
  createKeyPairSignerFromPrivateKeyBytes,
  createSolanaRpc,
  createTransactionMessage,
  getAddressEncoder,
  getBase58Decoder,
  getBase64EncodedWireTransaction,
  getProgramDerivedAddress,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '../../..');
/** Where the setup's processes log and the keypair files go (the tests' own output is Playwright's). */
export const clusterDir = join(root, 'app/test-results/cluster');
export const RPC_PORT = 28_899;
export const APP_PORT = 4_173;
export const INDEXER_PORT = 28_787;
export const RPC = `http://127.0.0.1:${RPC_PORT}`;
export const INDEXER = `http://127.0.0.1:${INDEXER_PORT}`;
export const APP = `http://127.0.0.1:${APP_PORT}`;
export const PROGRAM = address('Dds5Xtqydxj6rE318P45W33NfWuVSCh6fz7doqan5Vs7');
export const TOKEN_PROGRAM = address('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
const ATA_PROGRAM = address('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');
const SYSTEM_PROGRAM = address('11111111111111111111111111111111');
const cli = join(root, 'target/debug/tributary');
/** A file the setup writes when one of its processes ends before the run does: every wait fails on it. */
export const EXITED = join(clusterDir, 'exited');

export const rpc = createSolanaRpc(RPC);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns something truthy; fails on a timeout or a dead cluster process. */
export async function waitFor(what, check, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch {}
    if (existsSync(EXITED)) throw new Error(`${readFileSync(EXITED, 'utf8')} while waiting for ${what}`);
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

/** A new Ed25519 keypair: seed, public key, address, Solana CLI keypair file. */
export function newKeypair(name) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  mkdirSync(join(clusterDir, 'keys'), { recursive: true });
  const addr = getBase58Decoder().decode(pub);
  const file = join(clusterDir, 'keys', `${name}-${addr.slice(0, 8)}.json`);
  writeFileSync(file, JSON.stringify([...seed, ...pub]));
  return { seed: [...seed], publicKey: [...pub], address: addr, file };
}

export async function confirm(signature) {
  await waitFor(`confirmation of ${signature}`, async () => {
    const { value } = await rpc.getSignatureStatuses([signature]).send();
    if (value[0]?.err) throw new Error(JSON.stringify(value[0].err));
    return value[0]?.confirmationStatus === 'confirmed' || value[0]?.confirmationStatus === 'finalized';
  });
}
export async function airdrop(to, lamports) {
  await confirm(await rpc.requestAirdrop(address(to), lamports).send());
}
/** A new keypair holding `lamports`. */
export async function fundedKeypair(name, lamports = 2_000_000_000n) {
  const keys = newKeypair(name);
  if (lamports > 0n) await airdrop(keys.address, lamports);
  return keys;
}
export const balanceOf = async (who) => BigInt((await rpc.getBalance(address(who), { commitment: 'confirmed' }).send()).value);

/** The operator's `tributary` CLI on this cluster; its standard output. */
export function tributary(keypair, ...args) {
  return execFileSync(cli, [...args, '--url', RPC, '--keypair', keypair.file], { encoding: 'utf8' });
}

/** The Anchor deploy script (migrations/migrate.cjs, as `anchor migrate` runs it); its last line is JSON. */
export function migrate(wallet, env) {
  const text = execFileSync('node', [join(root, 'migrations/migrate.cjs')], {
    encoding: 'utf8',
    env: { ...process.env, ANCHOR_PROVIDER_URL: RPC, ANCHOR_WALLET: wallet.file, ...env },
  });
  return JSON.parse(text.trim().split('\n').at(-1));
}

/** A new pool of the operator's mint: the deploy script with a pool id no other test uses. */
let poolIds = 0;
export function newPool(operator, mint, env = {}) {
  // ids from the clock and a counter: tests of one run (and reruns on one cluster) never collide
  const id = String(BigInt(Date.now()) * 1000n + BigInt(poolIds++ % 1000));
  return migrate(operator, { TRIBUTARY_MINT: mint, TRIBUTARY_POOL_ID: id, ...env }).pool;
}

export async function ata(owner, mint) {
  const enc = getAddressEncoder();
  return (await getProgramDerivedAddress({ programAddress: ATA_PROGRAM, seeds: [enc.encode(address(owner)), enc.encode(TOKEN_PROGRAM), enc.encode(address(mint))] }))[0];
}
export async function ledgerPage(pool, index) {
  const seed = new Uint8Array(4);
  new DataView(seed.buffer).setUint32(0, index, true);
  return (await getProgramDerivedAddress({ programAddress: PROGRAM, seeds: ['ledger', getAddressEncoder().encode(address(pool)), seed] }))[0];
}

const u64 = (v) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};
/** The system program's CreateAccount of `space` bytes, rent-exempt, owned by the token program. */
async function createTokenProgramAccount(payer, account, space) {
  const rent = await rpc.getMinimumBalanceForRentExemption(space).send();
  return {
    programAddress: SYSTEM_PROGRAM,
    accounts: [{ address: payer.address, role: AccountRole.WRITABLE_SIGNER, signer: payer }, { address: account.address, role: AccountRole.WRITABLE_SIGNER, signer: account }],
    data: new Uint8Array([0, 0, 0, 0, ...u64(rent), ...u64(space), ...getAddressEncoder().encode(TOKEN_PROGRAM)]),
  };
}
/** `instructions` in one transaction paid by `payer`, signed by every signer they name, confirmed. */
async function sendConfirmed(payer, instructions) {
  const { value: latest } = await rpc.getLatestBlockhash().send();
  const tx = await pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
    (m) => signTransactionMessageWithSigners(m),
  );
  await confirm(await rpc.sendTransaction(getBase64EncodedWireTransaction(tx), { encoding: 'base64' }).send());
}

/** An SPL Token mint of 6 decimals without a freeze authority; the operator holds 1,000,000 tokens. */
export async function createMint(operator) {
  const signer = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(operator.seed));
  const mint = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(newKeypair('mint').seed));
  const operatorAta = await ata(signer.address, mint.address);
  const createAccount = await createTokenProgramAccount(signer, mint, 82n);
  const initMint = { programAddress: TOKEN_PROGRAM, accounts: [{ address: mint.address, role: AccountRole.WRITABLE }], data: new Uint8Array([20, 6, ...getAddressEncoder().encode(signer.address), 0]) };
  const createAta = {
    programAddress: ATA_PROGRAM,
    accounts: [
      { address: signer.address, role: AccountRole.WRITABLE_SIGNER, signer },
      { address: operatorAta, role: AccountRole.WRITABLE },
      { address: signer.address, role: AccountRole.READONLY },
      { address: mint.address, role: AccountRole.READONLY },
      { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
      { address: TOKEN_PROGRAM, role: AccountRole.READONLY },
    ],
    data: new Uint8Array([1]),
  };
  const mintTo = {
    programAddress: TOKEN_PROGRAM,
    accounts: [{ address: mint.address, role: AccountRole.WRITABLE }, { address: operatorAta, role: AccountRole.WRITABLE }, { address: signer.address, role: AccountRole.READONLY_SIGNER, signer }],
    data: new Uint8Array([7, ...u64(1_000_000_000_000n)]),
  };
  await sendConfirmed(signer, [createAccount, initMint, createAta, mintTo]);
  return mint.address;
}

const require = createRequire(import.meta.url);
/** A Token-2022 mint carrying its own name and symbol (metadata pointer + token metadata extensions),
 * made the way the Token-2022 docs show, with the web3.js-based @solana/spl-token (kit has no
 * builder for the metadata extension's instructions). */
export async function createMetadataMint(operator, name, symbol) {
  const web3 = require('@solana/web3.js');
  const spl = require('@solana/spl-token');
  const meta = require('@solana/spl-token-metadata');
  const connection = new web3.Connection(RPC, 'confirmed');
  const payer = web3.Keypair.fromSecretKey(Uint8Array.from([...operator.seed, ...operator.publicKey]));
  const mint = web3.Keypair.generate();
  const metadata = { mint: mint.publicKey, name, symbol, uri: 'https://example.invalid/token.json', additionalMetadata: [] };
  const mintLen = spl.getMintLen([spl.ExtensionType.MetadataPointer]);
  const lamports = await connection.getMinimumBalanceForRentExemption(mintLen + spl.TYPE_SIZE + spl.LENGTH_SIZE + meta.pack(metadata).length);
  const tx = new web3.Transaction().add(
    web3.SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: mint.publicKey, space: mintLen, lamports, programId: spl.TOKEN_2022_PROGRAM_ID }),
    spl.createInitializeMetadataPointerInstruction(mint.publicKey, payer.publicKey, mint.publicKey, spl.TOKEN_2022_PROGRAM_ID),
    spl.createInitializeMintInstruction(mint.publicKey, 6, payer.publicKey, null, spl.TOKEN_2022_PROGRAM_ID),
    meta.createInitializeInstruction({
      programId: spl.TOKEN_2022_PROGRAM_ID, metadata: mint.publicKey, updateAuthority: payer.publicKey, mint: mint.publicKey,
      mintAuthority: payer.publicKey, name, symbol, uri: metadata.uri,
    }),
  );
  await web3.sendAndConfirmTransaction(connection, tx, [payer, mint], { commitment: 'confirmed' });
  return mint.publicKey.toBase58();
}

/** A second token account of `mint` owned by `owner` (not the associated one), paid by `payerKeys`. */
export async function createTokenAccount(payerKeys, owner, mint) {
  const payer = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(payerKeys.seed));
  const account = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(newKeypair('second-token-account').seed));
  const create = await createTokenProgramAccount(payer, account, 165n);
  // InitializeAccount3: the owner in the data, no rent sysvar
  const init = {
    programAddress: TOKEN_PROGRAM,
    accounts: [{ address: account.address, role: AccountRole.WRITABLE }, { address: address(mint), role: AccountRole.READONLY }],
    data: new Uint8Array([18, ...getAddressEncoder().encode(address(owner))]),
  };
  await sendConfirmed(payer, [create, init]);
  return account.address;
}

/** What the global setup started and made, for the tests (set in TRIBUTARY_E2E by the setup). */
export function cluster() {
  const json = process.env.TRIBUTARY_E2E;
  if (!json) throw new Error('TRIBUTARY_E2E is not set: run the browser tests with scripts/test-e2e');
  return JSON.parse(json);
}

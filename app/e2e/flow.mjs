// End to end in real headless Chromium (Debian's) against the built app served on localhost and a
// real solana-test-validator with the program loaded; the pool comes from the Anchor deploy script
// (migrations/deploy.ts), the rest of the operator side from the `tributary` CLI.
// Flow: connect (a wallet listing several chains, sending with signAndSendTransaction) → register a
// file, agreeing to the new ledger page's rent → operator posts a weight and deposits → earnings
// appear → operator cranks → payout arrives, charts drawn → more revenue → claim → balance rises →
// reload reconnects, disconnect forgets, account switching follows the wallet → payouts to another
// account and back to the main one → retire and close with the rent back; a wallet without
// signAndSendTransaction (the app sends); a Token-2022 pool's symbol from its metadata; axe-core on
// every page; the RPC requests an idle page makes in a minute. Plus the failures a contributor
// meets, each with its message and nothing signed or sent: a payout account that is not a token
// account, one that does not exist, a rejected signature, an endpoint on another cluster, and a
// wallet without SOL. Screenshots of every step go to app/test-results/, at desktop and phone
// widths. Run by scripts/test-e2e inside a private network namespace.
import { spawn, execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import {
  AccountRole,
  address,
  appendTransactionMessageInstructions,
  createKeyPairSignerFromPrivateKeyBytes,
  createSolanaRpc,
  createTransactionMessage,
  getBase58Decoder,
  getBase64EncodedWireTransaction,
  getProgramDerivedAddress,
  getAddressEncoder,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const out = join(here, '../test-results');
const validatorBin = process.env.TRIBUTARY_TEST_VALIDATOR;
const cli = join(root, 'target/debug/tributary');
const so = join(root, 'target/deploy/tributary.so');
const RPC_PORT = 28_899;
const APP_PORT = 4_173;
const INDEXER_PORT = 28_787;
const INDEXER = `http://127.0.0.1:${INDEXER_PORT}`;
const indexerBin = join(root, 'target/debug/tributary-index');
const RPC = `http://127.0.0.1:${RPC_PORT}`;
const TOKEN_PROGRAM = address('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
const ATA_PROGRAM = address('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');
const SYSTEM_PROGRAM = address('11111111111111111111111111111111');
const PROGRAM = address('Dds5Xtqydxj6rE318P45W33NfWuVSCh6fz7doqan5Vs7');
// Anchor's account discriminator of a Contribution: the first 8 bytes of sha256("account:Contribution")
const CONTRIBUTION_DISCRIMINATOR = getBase58Decoder().decode(createHash('sha256').update('account:Contribution').digest().subarray(0, 8));
const started = Date.now();
const log = (...a) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

assert.ok(validatorBin, 'TRIBUTARY_TEST_VALIDATOR is not set: run scripts/test-e2e');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const children = [];
let stopping = false;
/** Set when a child (the validator, the app server) ends before the test does: every wait fails on it. */
let earlyExit = null;
function start(cmd, args, name, env = {}) {
  const logFile = createWriteStream(join(out, `${name}.log`));
  // its own process group, so that stopping it stops whatever it started too
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // both streams write one file: neither may end it (the first to finish would close it under the
  // other, and Node would crash on the next write); it ends once the child's stdio has closed
  child.stdout.pipe(logFile, { end: false });
  child.stderr.pipe(logFile, { end: false });
  child.on('close', (code, signal) => {
    logFile.end(() => {
      if (stopping) return;
      earlyExit = `${name} exited early (code ${code}, signal ${signal})`;
      const tail = readFileSync(join(out, `${name}.log`), 'utf8').trimEnd().split('\n').slice(-20).join('\n');
      log(`${name} exited early (code ${code}, signal ${signal}); the end of ${join(out, `${name}.log`)}:\n${tail}`);
    });
  });
  children.push(child);
  return child;
}
function stopAll() {
  stopping = true;
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {}
  }
}
process.on('exit', stopAll);

/** A new Ed25519 keypair: seed, public key, address, Solana CLI keypair file. */
function newKeypair(name) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  const file = join(out, `${name}.json`);
  writeFileSync(file, JSON.stringify([...seed, ...pub]));
  return { seed: [...seed], publicKey: [...pub], address: getBase58Decoder().decode(pub), file };
}

const rpc = createSolanaRpc(RPC);
async function waitFor(what, check, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch {}
    if (earlyExit) throw new Error(`${earlyExit} while waiting for ${what}`);
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}
async function confirm(signature) {
  await waitFor(`confirmation of ${signature}`, async () => {
    const { value } = await rpc.getSignatureStatuses([signature]).send();
    if (value[0]?.err) throw new Error(JSON.stringify(value[0].err));
    return value[0]?.confirmationStatus === 'confirmed' || value[0]?.confirmationStatus === 'finalized';
  });
}
async function airdrop(to, lamports) {
  await confirm(await rpc.requestAirdrop(address(to), lamports).send());
}
async function ata(owner, mint) {
  const enc = getAddressEncoder();
  return (await getProgramDerivedAddress({ programAddress: ATA_PROGRAM, seeds: [enc.encode(owner), enc.encode(TOKEN_PROGRAM), enc.encode(mint)] }))[0];
}
function tributary(keypair, ...args) {
  const text = execFileSync(cli, [...args, '--url', RPC, '--keypair', keypair.file], { encoding: 'utf8' });
  log('tributary', args.join(' '));
  return text;
}

// the deploy script through migrations/migrate.cjs; its last line is JSON
function migrate(wallet, env) {
  const text = execFileSync('node', [join(root, 'migrations/migrate.cjs')], {
    encoding: 'utf8',
    env: { ...process.env, ANCHOR_PROVIDER_URL: RPC, ANCHOR_WALLET: wallet.file, ...env },
  });
  log('migrate', JSON.stringify(env));
  migrate.last = JSON.parse(text.trim().split('\n').at(-1));
  return migrate.last;
}

const u64 = (v) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v, true); return b; };
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

async function createMint(operator) {
  const signer = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(operator.seed));
  const mintKeys = newKeypair('mint');
  const mint = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(mintKeys.seed));
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
 * made the way the Token-2022 docs show, with the web3.js-based @solana/spl-token. */
async function createMetadataMint(operator, name, symbol) {
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

/** A second token account of `mint` owned by `owner` (not the associated one), paid by `payer`. */
async function createTokenAccount(payerKeys, owner, mint) {
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

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** axe-core's WCAG checks on the page as it is now: no serious or critical violation. */
async function checkAccessibility(on, where) {
  await on.addScriptTag({ content: axeSource });
  const result = await on.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  writeFileSync(join(out, `axe-${where}.json`), JSON.stringify(result, null, 2));
  assert.deepEqual(bad, [], `axe-core: serious or critical violations on ${where}: ${JSON.stringify(bad, null, 1)}`);
  log(`axe-core on ${where}: ${result.length} minor/moderate, no serious or critical`);
}

let browser;
try {
  // the cluster
  const ledger = join(out, 'ledger');
  start(validatorBin, ['--ledger', ledger, '--reset', '--quiet', '--bind-address', '127.0.0.1', '--rpc-port', `${RPC_PORT}`,
    '--faucet-port', `${RPC_PORT + 2}`, '--gossip-port', `${RPC_PORT + 3}`, '--dynamic-port-range', `${RPC_PORT + 10}-${RPC_PORT + 190}`,
    '--bpf-program', PROGRAM, so], 'validator');
  await waitFor('validator', async () => (await rpc.getHealth().send()) === 'ok' && (await rpc.getSlot().send()) > 1n, 120_000);
  log('validator healthy');
  // the indexer follows the program from its first transaction (SQLite)
  start(indexerBin, ['--rpc-url', RPC, '--database', join(out, 'index.sqlite'), '--listen', `127.0.0.1:${INDEXER_PORT}`, '--poll-ms', '300', 'run'], 'indexer');
  await waitFor('indexer', async () => (await fetch(`${INDEXER}/v1/status`)).ok);

  // the operator's pool
  const operator = newKeypair('operator');
  await airdrop(operator.address, 100_000_000_000n);
  const mint = await createMint(operator);
  // created by the Anchor deploy script (migrations/deploy.ts), as `anchor migrate` would run it
  const pool = migrate(operator, { TRIBUTARY_MINT: mint, TRIBUTARY_POOL_ID: '1' }).pool;
  log('pool', pool);
  // run again, it changes nothing; without a mint on localnet, it makes one for the next pool
  assert.deepEqual(migrate(operator, { TRIBUTARY_MINT: mint, TRIBUTARY_POOL_ID: '1' }), { pool, vault: migrate.last.vault, mint, created: false });
  const second = migrate(operator, { TRIBUTARY_POOL_ID: '2', TRIBUTARY_CRANKER_REWARD_BPS: '25', TRIBUTARY_MIN_PAYOUT: '1000' });
  const shown = JSON.parse(tributary(operator, 'pool', 'show', second.pool, '--output', 'json'));
  assert.deepEqual([second.created, shown.mint, shown.decimals, shown.cranker_reward_bps, shown.min_payout, shown.pool_id],
    [true, second.mint, 6, 25, 1000, 2]);
  // a third pool paying in a Token-2022 token that carries its name and symbol
  const metadataMint = await createMetadataMint(operator, 'Tributary Test Dollar', 'TTD');
  const metadataPool = migrate(operator, { TRIBUTARY_MINT: metadataMint, TRIBUTARY_POOL_ID: '3' }).pool;

  // the app, built, served on loopback
  start('npx', ['vite', 'preview', '--port', `${APP_PORT}`, '--strictPort'], 'preview');
  const appUrl = `http://127.0.0.1:${APP_PORT}/?cluster=localnet&rpc=${encodeURIComponent(RPC)}&pool=${pool}`;
  await waitFor('app server', async () => (await fetch(`http://127.0.0.1:${APP_PORT}/`)).ok);

  // the contributor's wallet, funded
  const contributor = newKeypair('contributor');
  await airdrop(contributor.address, 2_000_000_000n);

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const walletSource = readFileSync(join(here, 'test-wallet.js'), 'utf8');
  const ALL_CHAINS = ['solana:mainnet', 'solana:devnet', 'solana:testnet', 'solana:localnet'];
  /** A page of the app (its own browser context: storage of its own) with a test wallet holding
   * `keys` (one or several accounts), listing `chains`, with or without signAndSendTransaction. */
  const openApp = async (keys, { chains = ALL_CHAINS, signAndSend = false, query = '', width = 1280 } = {}) => {
    const p = await browser.newPage({ viewport: { width, height: 900 } });
    p.on('pageerror', (e) => log('page error', e.message));
    const list = Array.isArray(keys) ? keys : [keys];
    const options = { keys: list.map((k) => ({ seed: k.seed, publicKey: k.publicKey, address: k.address })), chains, signAndSend, rpcUrl: RPC };
    await p.addInitScript({ content: `${walletSource}\ninstallTestWallet(${JSON.stringify(options)});` });
    await p.goto(query ? appUrl.replace('?cluster=localnet', query) : appUrl);
    await p.getByTestId('connect-Test Wallet').waitFor();
    return p;
  };
  // the contributor's wallet lists every cluster (as Phantom does) and sends what it signs; a second account to switch to
  const other = newKeypair('contributor-second-account');
  const page = await openApp([contributor, other], { signAndSend: true });
  let step = 0;
  const shot = async (name, on = page) => {
    step += 1;
    await on.screenshot({ path: join(out, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
    log('screenshot', name);
  };
  const messageText = async (pattern, on = page) => {
    const m = on.getByTestId('message');
    await m.filter({ hasText: pattern }).waitFor({ timeout: 60_000 });
    return m.locator('span').innerText();
  };
  const cell = (entry, id) => page.getByTestId(`contribution-${entry}`).getByTestId(id);

  // without ?pool=: the program's pools listed (the deploy script made three), each a link to its
  // page; the Token-2022 pool shows its token's symbol and name from the mint's own metadata
  const listing = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  listing.on('pageerror', (e) => log('page error', e.message));
  await listing.goto(appUrl.replace(`&pool=${pool}`, ''));
  await listing.getByTestId('pool-list').waitFor();
  assert.ok((await listing.getByTestId('pool-link').count()) >= 3, 'the three pools listed');
  await listing.getByTestId('pool-token').filter({ hasText: 'TTD · Tributary Test Dollar' }).waitFor();
  assert.equal(await listing.getByTestId('register-panel').count(), 0, 'no register form without a pool');
  await checkAccessibility(listing, 'pool-list');
  await shot('pool-list', listing);
  await listing.locator(`a[data-testid="pool-link"][href*="pool=${metadataPool}"]`).click();
  await listing.getByTestId('pool-token').filter({ hasText: 'TTD (Tributary Test Dollar), 6 decimals' }).waitFor();
  await listing.goto(appUrl.replace(`&pool=${pool}`, ''));
  await listing.locator(`a[data-testid="pool-link"][href*="pool=${pool}"]`).click();
  await listing.getByTestId('pool-contributors').waitFor();
  assert.ok(listing.url().includes(`pool=${pool}`) && listing.url().includes('cluster=localnet'), listing.url());
  await listing.close();
  // the signature the message's explorer link names, checked to point at this cluster
  const linkedSignature = async (on = page) => {
    const href = await on.getByTestId('explorer-link').getAttribute('href');
    const prefix = 'https://explorer.solana.com/tx/';
    assert.ok(href?.startsWith(prefix) && href.includes(`customUrl=${encodeURIComponent(RPC)}`), href);
    return href.slice(prefix.length).split('?')[0];
  };
  const waitText = async (locator, expected) => {
    await waitFor(`${expected}`, async () => (await locator.innerText()).trim() === expected, 60_000);
  };

  await shot('wallet-available');
  await page.getByTestId('connect-Test Wallet').click();
  await page.locator('[data-testid="connected"][data-mode="signAndSend"]').waitFor();
  // the deploy script's mint has no freeze authority, and the pool page says what that means
  await waitText(page.getByTestId('pool-freeze-authority'), 'none: the vault cannot be frozen');
  // updates arrive by subscription, not by polling
  await waitText(page.getByTestId('live'), 'live');
  await shot('connected');

  // register a file: hashed in the page. The pool has no ledger page yet: registering opens one, and
  // the contributor must agree to its rent (shown exactly) before the button works
  const fileBytes = Buffer.from('a curated training shard\n'.repeat(100));
  const shard = { name: 'shard-0001.jsonl', mimeType: 'application/jsonl', buffer: fileBytes };
  await page.getByTestId('file').setInputFiles(shard);
  const expectedHash = createHash('sha256').update(fileBytes).digest('hex');
  await page.getByTestId('file-hash').filter({ hasText: expectedHash }).waitFor();
  await page.getByTestId('uri').fill('ipfs://bafy/shard-0001.jsonl');
  await page.getByTestId('page-rent').waitFor();
  const pageRentShown = /so you\s+pay: ([0-9.]+) SOL/.exec(await page.getByTestId('page-rent').innerText())?.[1];
  assert.ok(await page.getByTestId('register').isDisabled(), 'no registration before agreeing to the page rent');
  await shot('page-rent-consent');
  await page.getByTestId('page-rent-consent').check();
  const solBefore = BigInt((await rpc.getBalance(address(contributor.address), { commitment: 'confirmed' }).send()).value);
  await page.getByTestId('register').click();
  log(await messageText('Registered'));
  await page.getByTestId('contribution-0').waitFor();
  // the page's rent shown is the rent the page holds
  const [page0] = await getProgramDerivedAddress({ programAddress: PROGRAM, seeds: ['ledger', getAddressEncoder().encode(address(pool)), new Uint8Array(4)] });
  const pageRent = BigInt((await rpc.getAccountInfo(page0, { commitment: 'confirmed', encoding: 'base64' }).send()).value.lamports);
  assert.equal(pageRentShown, (Number(pageRent) / 1e9).toString(), 'the consent named the page\'s rent');
  const registerSig = await linkedSignature();
  const registerFee = BigInt((await rpc.getTransaction(registerSig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, encoding: 'json' }).send()).meta.fee);
  const solAfter = BigInt((await rpc.getBalance(address(contributor.address), { commitment: 'confirmed' }).send()).value);
  const contributionRent = BigInt((await rpc.getProgramAccounts(PROGRAM, { encoding: 'base64', commitment: 'confirmed', filters: [{ memcmp: { offset: 40n, bytes: contributor.address, encoding: 'base58' } }, { memcmp: { offset: 0n, bytes: CONTRIBUTION_DISCRIMINATOR, encoding: 'base58' } }] }).send())[0].account.lamports);
  const ataRent = await rpc.getMinimumBalanceForRentExemption(165n).send();
  assert.equal(solBefore - solAfter, pageRent + contributionRent + ataRent + registerFee, 'paid: the page, the contribution, the payout account and the fee, nothing more');
  // creating the payout account is not a payout
  assert.equal((await cell(0, 'last-payout').innerText()).trim(), '—');
  // logged with the cluster's timestamp
  assert.notEqual((await cell(0, 'registered').innerText()).trim(), '—');
  // the payout account is the wallet's main (associated) token account
  await waitText(cell(0, 'destination'), 'main account');
  await shot('registered');

  // a bad payout account is explained, nothing signed
  await page.getByTestId('contribution-0').locator('summary').click();
  await cell(0, 'new-destination').fill(mint);
  await cell(0, 'change-destination').click();
  log(await messageText('not a token account'));
  await shot('bad-payout-account');
  await page.getByTestId('dismiss').click();
  await cell(0, 'new-destination').fill(newKeypair('nowhere').address);
  await cell(0, 'change-destination').click();
  log(await messageText('does not exist'));
  await shot('missing-token-account');
  await page.getByTestId('dismiss').click();
  await cell(0, 'new-destination').fill('');

  // operator: an attribution report built from usage receipts, posted as the weights -> earnings appear
  const receiptLine = (id, score) => JSON.stringify({ v: 1, id, time: 1_764_520_000, pool, consumer: 'e2e', kind: 'inference', uses: [{ entry: 0, content_hash: expectedHash, score }] });
  writeFileSync(join(out, 'receipts.jsonl'), `${receiptLine('req-1', '0.5')}\n${receiptLine('req-2', '1.25')}\n`);
  const reportFile = join(out, 'report.json');
  tributary(operator, 'attest', 'build', '--receipts', join(out, 'receipts.jsonl'), '--pool', pool, '--epoch', '1', '--out', reportFile);
  tributary(operator, 'weights', 'set', '--pool', pool, '--report', reportFile);
  tributary(operator, 'attest', 'verify', '--pool', pool, '--report', reportFile, '--receipts', join(out, 'receipts.jsonl'));
  tributary(operator, 'deposit', '--pool', pool, '--amount', '100');
  await waitText(cell(0, 'owed'), '100');
  await waitText(cell(0, 'weight'), '100 %');
  // the contributor checks the report in the page: epoch and hash on chain, their weight
  const reportText = readFileSync(reportFile, 'utf8');
  const onChainHash = createHash('sha256').update(reportText.trimEnd()).digest('hex');
  await waitFor('report hash shown', async () => (await cell(0, 'report').getAttribute('title')) === onChainHash, 60_000);
  await cell(0, 'check-report').setInputFiles({ name: 'report.json', mimeType: 'application/json', buffer: Buffer.from(reportText) });
  await waitText(cell(0, 'report-check'), 'Matches the chain: epoch 1, weight 100 % of the report (1099511627776 of 1099511627776), from 2 usage receipts');
  // a report that is not the one on chain (another epoch: still a well-formed report) is named as such
  await cell(0, 'check-report').setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from(reportText.replace('"epoch":1', '"epoch":7')) });
  await waitFor('a mismatch named', async () => (await cell(0, 'report-check').innerText()).includes('is not the report hash on chain'), 60_000);
  await shot('earnings-appear');

  // operator: crank -> payout arrives (less the 0.1 % cranker reward); drawn per contribution, per day and per contributor
  tributary(operator, 'crank', '--pool', pool, '--once');
  await waitText(cell(0, 'paid'), '99.9');
  await waitText(page.getByTestId('token-balance'), '99.9');
  await page.getByTestId('batch').first().waitFor();
  await waitFor('last payout time', async () => (await cell(0, 'last-payout').innerText()).trim().startsWith('—') === false);
  await cell(0, 'show-history').click();
  for (const chart of ['earnings-chart', 'spread-chart', 'payouts-chart']) {
    await page.getByTestId(chart).locator('svg.recharts-surface').first().waitFor();
  }
  assert.ok((await page.getByTestId('earnings-chart').getAttribute('aria-label')).includes('99.9'), 'the earnings chart draws the 99.9 paid');
  await shot('cranked-charts');

  // more revenue, then the contributor claims
  tributary(operator, 'deposit', '--pool', pool, '--amount', '50');
  await waitText(cell(0, 'owed'), '50');
  // a rejected signature first: message, nothing sent
  await page.evaluate(() => { window.__testWallet.rejectNext = true; });
  await cell(0, 'claim').click();
  log(await messageText('rejected'));
  assert.equal((await cell(0, 'owed').innerText()).trim(), '50');
  await shot('claim-rejected');
  // a hostile RPC answer (anyone can bid up recent fees on the pool's accounts, and `?rpc=` can be
  // any endpoint): a priority fee of 2,000 lamports per CU, with junk entries among the fees. Above
  // the cap the app asks before anything is signed; cancelling sends nothing, and the claim then
  // goes out at the cap
  const toRpc = (url) => url.href.startsWith(RPC);
  await page.route(toRpc, async (route) => {
    const body = route.request().postDataJSON();
    if (body?.method !== 'getRecentPrioritizationFees') return route.continue();
    const result = [{ slot: 1, prioritizationFee: 2_000_000_000 }, { slot: 2, prioritizationFee: 2_000_000_000 }, { slot: 3, prioritizationFee: -5 }, { slot: 4, prioritizationFee: 'lots' }];
    return route.fulfill({ json: { jsonrpc: '2.0', id: body.id, result } });
  });
  await cell(0, 'claim').click();
  await page.getByTestId('fee-choice').waitFor();
  const suggestedTotal = await page.getByTestId('fee-suggested-total').innerText();
  const capTotal = await page.getByTestId('fee-cap-total').innerText();
  log(`hostile fee: ${suggestedTotal} at the RPC's suggestion, ${capTotal} at the cap`);
  assert.ok(Number(suggestedTotal.split(' ')[0]) > 0.01 && Number(capTotal.split(' ')[0]) < 0.0002, `${suggestedTotal} / ${capTotal}`);
  await shot('fee-above-cap');
  await page.getByTestId('fee-cancel').click();
  log(await messageText('Cancelled: nothing was signed'));
  assert.equal((await cell(0, 'owed').innerText()).trim(), '50');
  const lamportsBefore = BigInt((await rpc.getBalance(address(contributor.address), { commitment: 'confirmed' }).send()).value);
  await cell(0, 'claim').click();
  await page.getByTestId('fee-at-cap').click();
  await page.getByTestId('fee').filter({ hasText: 'priority at 100000 micro-lamports' }).waitFor();
  log(await messageText('Claimed'));
  await page.unroute(toRpc);
  const paidFee = lamportsBefore - BigInt((await rpc.getBalance(address(contributor.address), { commitment: 'confirmed' }).send()).value);
  log(`the claim paid ${paidFee} lamports of fees`);
  assert.ok(paidFee > 5_000n && paidFee <= 5_000n + 140_000n, `the fee stayed at the cap: ${paidFee} lamports`);
  await waitText(page.getByTestId('token-balance'), '149.9');
  await waitText(cell(0, 'owed'), '0');
  await shot('claimed');
  // every signature links to the explorer on this cluster (a local one through its custom-RPC mode)
  const linked = await linkedSignature();
  assert.equal((await rpc.getSignatureStatuses([linked]).send()).value[0]?.err, null, 'the link names the claim that landed');
  // the earnings statement: today's payouts (the crank's and this claim), and a CSV of exactly those rows
  const today = new Date().toISOString().slice(0, 10);
  await page.getByTestId('statement-from').fill(today);
  await page.getByTestId('statement-to').fill(today);
  await page.getByTestId('statement-total').filter({ hasText: /^[1-9]\d* payouts?, / }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('statement-csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  assert.equal(csv[0], 'date_utc,pool,mint,payout_account,entries,amount,amount_base_units,signature');
  assert.ok(csv.some((line) => line.endsWith(`,${linked}`)), 'the claim is a row of the statement');
  const statementTotal = await page.getByTestId('statement-total').innerText();
  assert.ok(statementTotal.startsWith(`${csv.length - 1} payout`), `${statementTotal} / ${csv.length - 1} rows`);
  log(`statement: ${statementTotal}; CSV of ${csv.length - 1} rows`);
  await shot('statement');
  // the same statement from the indexer (?indexer=): every payout, checked against the ledger
  const indexed = await openApp(contributor, { signAndSend: true, query: `?indexer=${encodeURIComponent(INDEXER)}&cluster=localnet` });
  await indexed.getByTestId('connect-Test Wallet').click();
  await indexed.locator('[data-testid="statement"][data-source="indexer"]').waitFor({ timeout: 60_000 });
  await indexed.getByTestId('statement-from').fill(today);
  await indexed.getByTestId('statement-to').fill(today);
  await indexed.getByTestId('statement-total').filter({ hasText: statementTotal }).waitFor({ timeout: 60_000 });
  const [indexedDownload] = await Promise.all([indexed.waitForEvent('download'), indexed.getByTestId('statement-csv').click()]);
  const indexedCsv = readFileSync(await indexedDownload.path(), 'utf8').trim().split('\r\n');
  assert.deepEqual(indexedCsv, csv, 'the indexer gives the statement the chain gives, row for row');
  // all time: the indexed total agrees with the program's ledger (no warning)
  await indexed.getByTestId('statement-from').fill('');
  await indexed.getByTestId('statement-to').fill('');
  await indexed.getByTestId('statement-total').filter({ hasText: statementTotal }).waitFor();
  assert.equal(await indexed.getByTestId('statement-disagrees').count(), 0, 'the index agrees with the ledger');
  await indexed.locator('[data-testid="batch"]').first().waitFor();
  // the pool per day, from the indexer: what it paid equals the pool's own total; its CSV has the day
  const poolPaid = (await indexed.getByTestId('pool-paid').innerText()).split(' ')[0];
  await waitText(indexed.getByTestId('pool-days-paid'), poolPaid);
  const daysCsv = await (await fetch(await indexed.getByTestId('pool-days-csv').getAttribute('href'))).text();
  const [daysHeader, ...dayRows] = daysCsv.trim().split('\r\n');
  assert.equal(daysHeader, 'day,deposited,deposits,usage_fees,usage_payments,paid,payouts,cranker_rewards,crank_batches');
  assert.ok(dayRows.some((r) => r.startsWith(`${today},`)), daysCsv);
  log(`statement from the indexer: ${await indexed.getByTestId('statement-source').innerText()}`);
  await shot('statement-indexer', indexed);
  // an indexer that invents a payout is caught by the ledger check
  await indexed.route(`${INDEXER}/v1/wallets/**`, async (route) => {
    const real = await (await route.fetch()).json();
    const fake = { ...real.items[0], signature: 'invented', amount: '999000000' };
    await route.fulfill({ json: { items: [...real.items, fake], next: null } });
  });
  await indexed.reload();
  // the wallet reconnects silently on reload
  await indexed.getByTestId('connected').waitFor();
  await indexed.getByTestId('statement-disagrees').filter({ hasText: 'indexed' }).waitFor({ timeout: 60_000 });
  log(await indexed.getByTestId('statement-disagrees').innerText());
  await shot('statement-indexer-disagrees', indexed);
  await indexed.close();
  // the app's transactions carry a compute-unit limit (from simulation) and a price: ComputeBudget instructions
  const claimTx = await rpc.getTransaction(linked, { encoding: 'json', maxSupportedTransactionVersion: 0, commitment: 'confirmed' }).send();
  const keys = claimTx.transaction.message.accountKeys;
  const budget = claimTx.transaction.message.instructions.filter((ix) => keys[ix.programIdIndex] === 'ComputeBudget111111111111111111111111111111');
  assert.equal(budget.length, 2, 'a compute-unit limit and a compute-unit price');
  // this wallet offers signAndSendTransaction for this cluster: it signed and sent both itself
  assert.deepEqual(await page.evaluate(() => [window.__testWallet.signed, window.__testWallet.sentByWallet]), [2, 2], 'the wallet signed and sent the registration and the claim');
  await checkAccessibility(page, 'pool-page');
  // on a phone: one column, nothing wider than the screen
  const overflowing = () =>
    page.evaluate(() =>
      document.documentElement.scrollWidth <= window.innerWidth
        ? []
        : [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('table'))
            .slice(0, 5)
            .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`),
    );
  await page.setViewportSize({ width: 390, height: 844 });
  // the charts re-measure their container after a resize
  await waitFor('the page to fit a phone', async () => (await overflowing()).length === 0, 5_000).catch(() => {});
  assert.deepEqual(await overflowing(), [], 'no sideways scrolling on a phone');
  await checkAccessibility(page, 'pool-page-phone');
  await shot('phone');
  await page.setViewportSize({ width: 1280, height: 900 });

  // a reload reconnects the wallet without a prompt (a silent connect); disconnecting forgets it
  await page.reload();
  await page.locator('[data-testid="connected"][data-mode="signAndSend"]').waitFor();
  assert.deepEqual(await page.evaluate(() => [window.__testWallet.connects, window.__testWallet.silentConnects]), [0, 1], 'reconnected silently, no prompt');
  await waitText(cell(0, 'paid'), '149.9');
  await page.getByTestId('disconnect').click();
  await page.getByTestId('connect-Test Wallet').waitFor();
  await page.reload();
  await page.getByTestId('connect-Test Wallet').waitFor();
  await sleep(1_000);
  assert.equal(await page.getByTestId('connected').count(), 0, 'a disconnected wallet stays disconnected after a reload');
  await shot('disconnected');
  await page.getByTestId('connect-Test Wallet').click();
  await page.getByTestId('connected').waitFor();
  // switching accounts in the wallet switches the page: the other account has no contributions here
  await page.evaluate(() => window.__testWallet.switchTo(1));
  await page.getByTestId('connected').filter({ hasText: other.address.slice(-4) }).waitFor();
  await page.getByTestId('mine').getByText('None yet in this pool.').waitFor();
  await shot('switched-account');
  await page.evaluate(() => window.__testWallet.switchTo(0));
  await page.getByTestId('connected').filter({ hasText: contributor.address.slice(-4) }).waitFor();
  await page.getByTestId('contribution-0').waitFor();

  // payouts to another token account of the contributor's, then back to the main one with one button
  const secondAccount = await createTokenAccount(operator, contributor.address, mint);
  await page.getByTestId('contribution-0').locator('summary').click();
  await cell(0, 'new-destination').fill(secondAccount);
  await cell(0, 'change-destination').click();
  log(await messageText('Payout account changed'));
  await waitText(cell(0, 'destination'), `${secondAccount.slice(0, 4)}…${secondAccount.slice(-4)}`);
  await shot('other-payout-account');
  await cell(0, 'pay-to-main').click();
  log(await messageText('main account'));
  await waitText(cell(0, 'destination'), 'main account');

  // retire, then close: the button says how much rent comes back (the account's rent less its
  // slot's share of a page, which the program moves into the pool's page fund), and exactly that arrives
  await cell(0, 'retire').click();
  log(await messageText('Retired'));
  const closeButton = cell(0, 'close');
  await closeButton.waitFor();
  const offered = /\+([0-9.]+) SOL/.exec(await closeButton.innerText())?.[1];
  const [contribution] = await rpc.getProgramAccounts(PROGRAM, {
    encoding: 'base64',
    commitment: 'confirmed',
    filters: [
      { memcmp: { offset: 0n, bytes: CONTRIBUTION_DISCRIMINATOR, encoding: 'base58' } },
      { memcmp: { offset: 40n, bytes: contributor.address, encoding: 'base58' } },
    ],
  }).send();
  assert.ok(contribution, 'the contribution account exists before closing');
  const rent = BigInt(contribution.account.lamports);
  const poolLamports = async () => BigInt((await rpc.getBalance(address(pool), { commitment: 'confirmed' }).send()).value);
  const poolBefore = await poolLamports();
  const before = BigInt((await rpc.getBalance(address(contributor.address), { commitment: 'confirmed' }).send()).value);
  await closeButton.click();
  log(await messageText('Closed'));
  const closedSig = await linkedSignature();
  const fee = BigInt((await rpc.getTransaction(closedSig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, encoding: 'json' }).send()).meta.fee);
  const after = BigInt((await rpc.getBalance(address(contributor.address), { commitment: 'confirmed' }).send()).value);
  const slotShare = (await poolLamports()) - poolBefore;
  assert.ok(slotShare > 0n && slotShare < rent, 'the slot\'s share of a page went to the pool\'s page fund');
  assert.equal(offered, (Number(rent - slotShare) / 1e9).toString(), 'the button offered what came back');
  assert.equal(after - before, rent - slotShare - fee, 'the rent came back, less the slot\'s share and the fee');
  assert.equal((await rpc.getAccountInfo(contribution.pubkey, { commitment: 'confirmed' }).send()).value, null, 'the account is gone');
  await page.getByTestId('contribution-0').waitFor({ state: 'detached' });
  await shot('closed');

  // the cluster is the RPC endpoint's, by genesis hash: a wallet listing only devnet (Wallet
  // Standard `chains` says what it supports, not where it is), without signAndSendTransaction, is
  // not refused here: it signs, the app sends. The page has room now: no page rent to agree to.
  const signer = newKeypair('devnet-only');
  await airdrop(signer.address, 1_000_000_000n);
  const devnetOnly = await openApp(signer, { chains: ['solana:devnet'] });
  await devnetOnly.getByTestId('connect-Test Wallet').click();
  await devnetOnly.locator('[data-testid="connected"][data-cluster="ok"][data-mode="sign"]').waitFor();
  assert.equal(await devnetOnly.getByTestId('message').count(), 0, 'no cluster warning for a wallet listing devnet');
  await devnetOnly.getByTestId('file').setInputFiles({ ...shard, name: 'shard-0004.jsonl', buffer: Buffer.from('a fourth shard\n') });
  await devnetOnly.getByTestId('uri').fill('ipfs://bafy/shard-0004.jsonl');
  await devnetOnly.getByTestId('register-cost').waitFor();
  assert.equal(await devnetOnly.getByTestId('page-rent').count(), 0, 'the open page has room: no page rent');
  await devnetOnly.getByTestId('register').click();
  log(await messageText('Registered', devnetOnly));
  await devnetOnly.getByTestId('contribution-1').waitFor();
  assert.deepEqual(await devnetOnly.evaluate(() => [window.__testWallet.signed, window.__testWallet.sentByWallet]), [1, 0], 'signed by the wallet, sent by the app');
  await shot('sign-only-wallet', devnetOnly);

  // an app told it is on devnet while its endpoint serves this local cluster refuses to send
  const elsewhere = await openApp(newKeypair('elsewhere'), { chains: ['solana:devnet'], query: '?cluster=devnet' });
  await elsewhere.getByTestId('connect-Test Wallet').click();
  log(await messageText('not devnet', elsewhere));
  await elsewhere.getByTestId('file').setInputFiles({ ...shard, name: 'shard-0003.jsonl', buffer: Buffer.from('a third shard\n') });
  await elsewhere.getByTestId('uri').fill('ipfs://bafy/shard-0003.jsonl');
  await elsewhere.getByTestId('register').click();
  log(await messageText('Nothing was sent', elsewhere));
  await shot('wrong-cluster', elsewhere);
  // a wallet without SOL is told what registering needs before anything is signed (on a phone)
  const broke = newKeypair('broke');
  const poor = await openApp(broke, { width: 390 });
  await poor.getByTestId('connect-Test Wallet').click();
  await poor.getByTestId('connected').waitFor();
  await poor.getByTestId('file').setInputFiles({ ...shard, name: 'shard-0002.jsonl', buffer: Buffer.from('another shard\n') });
  await poor.getByTestId('uri').fill('ipfs://bafy/shard-0002.jsonl');
  await poor.getByTestId('register').click();
  log(await messageText('Not enough SOL', poor));
  await shot('insufficient-sol-phone', poor);
  for (const [p, who] of [[elsewhere, 'endpoint on another cluster'], [poor, 'no SOL']]) {
    assert.equal(await p.evaluate(() => window.__testWallet.signed), 0, `nothing signed (${who})`);
  }
  assert.equal(BigInt((await rpc.getBalance(address(broke.address)).send()).value), 0n, 'nothing sent for the wallet without SOL');

  // good RPC manners: what an idle, connected pool page asks the endpoint in a minute (HTTP
  // requests; the WebSocket's subscriptions stay open and cost none)
  for (const p of [devnetOnly, elsewhere, poor]) await p.close();
  const idle = await openApp(contributor, { signAndSend: true });
  await idle.getByTestId('connect-Test Wallet').click();
  await waitText(idle.getByTestId('live'), 'live');
  await idle.getByTestId('batch').first().waitFor();
  await sleep(3_000);
  let requests = 0;
  idle.on('request', (r) => {
    if (r.url().startsWith(RPC)) requests += 1;
  });
  await sleep(60_000);
  writeFileSync(join(out, 'idle-rpc.json'), JSON.stringify({ seconds: 60, httpRequests: requests }));
  log(`an idle pool page made ${requests} RPC requests in 60 s`);
  assert.ok(requests <= 2, `an idle page keeps quiet: ${requests} requests in a minute`);
  // and one deposit reaches it by subscription: one reload, not a poll
  tributary(operator, 'deposit', '--pool', pool, '--amount', '7');
  await waitText(idle.getByTestId('pool-deposited'), `157 ${mint.slice(0, 4)}…${mint.slice(-4)}`);
  // without a WebSocket (nothing listens on the one given) the page says so and polls
  const polling = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  polling.on('pageerror', (e) => log('page error', e.message));
  await polling.goto(`${appUrl}&ws=${encodeURIComponent('ws://127.0.0.1:9/')}`);
  await waitText(polling.getByTestId('live'), 'polling');
  await waitText(polling.getByTestId('pool-deposited'), `157 ${mint.slice(0, 4)}…${mint.slice(-4)}`);
  tributary(operator, 'deposit', '--pool', pool, '--amount', '3');
  await waitText(polling.getByTestId('pool-deposited'), `160 ${mint.slice(0, 4)}…${mint.slice(-4)}`);
  log('a page without a WebSocket caught up by polling');
  log(`passed: ${step} screenshots in ${out}`);
  console.log('1 passed, 0 failed');
} catch (e) {
  console.error(e);
  try {
    const pages = browser?.contexts().flatMap((c) => c.pages()) ?? [];
    if (pages[0]) await pages[0].screenshot({ path: join(out, 'failure.png'), fullPage: true });
  } catch {}
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
} finally {
  await browser?.close();
  stopAll();
  process.exit();
}

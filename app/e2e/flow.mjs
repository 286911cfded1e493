// End to end in real headless Chromium (Debian's) against the built app served on localhost and a
// real solana-test-validator with the program loaded; the pool comes from the Anchor deploy script
// (migrations/deploy.ts), the rest of the operator side from the `tributary` CLI.
// Flow: connect → register a file → operator posts a weight and deposits → earnings appear →
// operator cranks → payout arrives → more revenue → claim → balance rises; plus the failures a
// contributor meets, each with its message and nothing signed or sent: a payout account that is not
// a token account, one that does not exist, a rejected signature, an endpoint on another cluster, a
// wallet listing another chain, and a
// wallet without SOL. Screenshots of every step go to app/test-results/. Run by scripts/test-e2e
// inside a private network namespace.
import { spawn, execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
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
function start(cmd, args, name, env = {}) {
  const logFile = createWriteStream(join(out, `${name}.log`));
  // its own process group, so that stopping it stops whatever it started too
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // both streams write one file: neither may end it (the first to finish would close it under the
  // other, and Node would crash on the next write); it ends once the child's stdio has closed
  child.stdout.pipe(logFile, { end: false });
  child.stderr.pipe(logFile, { end: false });
  child.on('close', (code, signal) => {
    logFile.end();
    if (!stopping) log(`${name} exited early (code ${code}, signal ${signal}): see ${join(out, `${name}.log`)}`);
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

async function createMint(operator) {
  const signer = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(operator.seed));
  const mintKeys = newKeypair('mint');
  const mint = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(mintKeys.seed));
  const rent = await rpc.getMinimumBalanceForRentExemption(82n).send();
  const operatorAta = await ata(signer.address, mint.address);
  const u64 = (v) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v, true); return b; };
  const createAccount = {
    programAddress: SYSTEM_PROGRAM,
    accounts: [{ address: signer.address, role: AccountRole.WRITABLE_SIGNER, signer }, { address: mint.address, role: AccountRole.WRITABLE_SIGNER, signer: mint }],
    data: new Uint8Array([0, 0, 0, 0, ...u64(rent), ...u64(82n), ...getAddressEncoder().encode(TOKEN_PROGRAM)]),
  };
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
  const { value: latest } = await rpc.getLatestBlockhash().send();
  const tx = await pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(signer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
    (m) => appendTransactionMessageInstructions([createAccount, initMint, createAta, mintTo], m),
    (m) => signTransactionMessageWithSigners(m),
  );
  await confirm(await rpc.sendTransaction(getBase64EncodedWireTransaction(tx), { encoding: 'base64' }).send());
  return mint.address;
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
  /** A page of the app with `keys` in the test wallet, on `chain`. */
  const openApp = async (keys, chain, query = '') => {
    const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    p.on('pageerror', (e) => log('page error', e.message));
    await p.addInitScript({ content: `${walletSource}\ninstallTestWallet(${JSON.stringify({ seed: keys.seed, publicKey: keys.publicKey, address: keys.address, chain })});` });
    await p.goto(query ? appUrl.replace('?cluster=localnet', query) : appUrl);
    await p.getByTestId('connect-Test Wallet').waitFor();
    return p;
  };
  const page = await openApp(contributor, 'solana:localnet');
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

  // without ?pool=: the program's pools listed (the deploy script made two), each a link to its page
  const listing = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  listing.on('pageerror', (e) => log('page error', e.message));
  await listing.goto(appUrl.replace(`&pool=${pool}`, ''));
  await listing.getByTestId('pool-list').waitFor();
  assert.ok((await listing.getByTestId('pool-link').count()) >= 2, 'both pools listed');
  await shot('pool-list', listing);
  await listing.locator(`a[data-testid="pool-link"][href*="pool=${pool}"]`).click();
  await listing.getByTestId('pool-contributors').waitFor();
  assert.ok(listing.url().includes(`pool=${pool}`) && listing.url().includes('cluster=localnet'), listing.url());
  await listing.close();
  // the signature the message's explorer link names, checked to point at this cluster
  const linkedSignature = async () => {
    const href = await page.getByTestId('explorer-link').getAttribute('href');
    const prefix = 'https://explorer.solana.com/tx/';
    assert.ok(href?.startsWith(prefix) && href.includes(`customUrl=${encodeURIComponent(RPC)}`), href);
    return href.slice(prefix.length).split('?')[0];
  };
  const waitText = async (locator, expected) => {
    await waitFor(`${expected}`, async () => (await locator.innerText()).trim() === expected, 60_000);
  };

  await shot('wallet-available');
  await page.getByTestId('connect-Test Wallet').click();
  await page.getByTestId('connected').waitFor();
  // the deploy script's mint has no freeze authority, and the pool page says what that means
  await waitText(page.getByTestId('pool-freeze-authority'), 'none: the vault cannot be frozen');
  await shot('connected');

  // register a file: hashed in the page
  const fileBytes = Buffer.from('a curated training shard\n'.repeat(100));
  const shard = { name: 'shard-0001.jsonl', mimeType: 'application/jsonl', buffer: fileBytes };
  await page.getByTestId('file').setInputFiles(shard);
  const expectedHash = createHash('sha256').update(fileBytes).digest('hex');
  await page.getByTestId('file-hash').filter({ hasText: expectedHash }).waitFor();
  await page.getByTestId('uri').fill('ipfs://bafy/shard-0001.jsonl');
  await page.getByTestId('register').click();
  log(await messageText('Registered'));
  await page.getByTestId('contribution-0').waitFor();
  // creating the payout account is not a payout
  assert.equal((await cell(0, 'last-payout').innerText()).trim(), '—');
  // logged with the cluster's timestamp
  assert.notEqual((await cell(0, 'registered').innerText()).trim(), '—');
  await shot('registered');

  // a bad payout account is explained, nothing signed
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
  await waitText(cell(0, 'weight'), '1099511627776');
  // the contributor checks the report in the page: epoch and hash on chain, their weight
  const reportText = readFileSync(reportFile, 'utf8');
  const onChainHash = createHash('sha256').update(reportText.trimEnd()).digest('hex');
  await waitFor('report hash shown', async () => (await cell(0, 'report').getAttribute('title')) === onChainHash, 60_000);
  await cell(0, 'check-report').setInputFiles({ name: 'report.json', mimeType: 'application/json', buffer: Buffer.from(reportText) });
  await waitText(cell(0, 'report-check'), 'Matches the chain: epoch 1, weight 1099511627776 of 1099511627776, from 2 usage receipts');
  // a report that is not the one on chain (another epoch: still a well-formed report) is named as such
  await cell(0, 'check-report').setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from(reportText.replace('"epoch":1', '"epoch":7')) });
  await waitFor('a mismatch named', async () => (await cell(0, 'report-check').innerText()).includes('is not the report hash on chain'), 60_000);
  await shot('earnings-appear');

  // operator: crank -> payout arrives (less the 0.1 % cranker reward)
  tributary(operator, 'crank', '--pool', pool, '--once');
  await waitText(cell(0, 'paid'), '99.9');
  await waitText(page.getByTestId('token-balance'), '99.9');
  await page.getByTestId('batch').first().waitFor();
  await waitFor('last payout time', async () => (await cell(0, 'last-payout').innerText()).trim() !== '—');
  await shot('cranked');

  // more revenue, then the contributor claims
  tributary(operator, 'deposit', '--pool', pool, '--amount', '50');
  await waitText(cell(0, 'owed'), '50');
  // a rejected signature first: message, nothing sent
  await page.evaluate(() => { window.__testWallet.rejectNext = true; });
  await cell(0, 'claim').click();
  log(await messageText('rejected'));
  assert.equal((await cell(0, 'owed').innerText()).trim(), '50');
  await shot('claim-rejected');
  await cell(0, 'claim').click();
  log(await messageText('Claimed'));
  await waitText(page.getByTestId('token-balance'), '149.9');
  await waitText(cell(0, 'owed'), '0');
  await shot('claimed');
  // every signature links to the explorer on this cluster (a local one through its custom-RPC mode)
  const linked = await linkedSignature();
  assert.equal((await rpc.getSignatureStatuses([linked]).send()).value[0]?.err, null, 'the link names the claim that landed');
  // the app's transactions carry a compute-unit limit (from simulation) and a price: ComputeBudget instructions
  const claimTx = await rpc.getTransaction(linked, { encoding: 'json', maxSupportedTransactionVersion: 0, commitment: 'confirmed' }).send();
  const keys = claimTx.transaction.message.accountKeys;
  const budget = claimTx.transaction.message.instructions.filter((ix) => keys[ix.programIdIndex] === 'ComputeBudget111111111111111111111111111111');
  assert.equal(budget.length, 2, 'a compute-unit limit and a compute-unit price');
  // on a phone: one column, nothing wider than the screen
  await page.setViewportSize({ width: 390, height: 844 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling on a phone');
  await shot('phone');
  await page.setViewportSize({ width: 1280, height: 900 });
  const signed = await page.evaluate(() => window.__testWallet.signed);
  assert.equal(signed, 2, 'the wallet signed the registration and the claim');

  // retire, then close: the button says how much rent comes back, and exactly that arrives
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
  assert.equal(offered, (Number(rent) / 1e9).toString(), 'the button offers the account\'s rent');
  const before = BigInt((await rpc.getBalance(address(contributor.address), { commitment: 'confirmed' }).send()).value);
  await closeButton.click();
  log(await messageText('Closed'));
  const closedSig = await linkedSignature();
  const fee = BigInt((await rpc.getTransaction(closedSig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, encoding: 'json' }).send()).meta.fee);
  const after = BigInt((await rpc.getBalance(address(contributor.address), { commitment: 'confirmed' }).send()).value);
  assert.equal(after - before, rent - fee, 'the rent came back, less the fee');
  assert.equal((await rpc.getAccountInfo(contribution.pubkey, { commitment: 'confirmed' }).send()).value, null, 'the account is gone');
  await page.getByTestId('contribution-0').waitFor({ state: 'detached' });
  await shot('closed');

  // the cluster is the RPC endpoint's, by genesis hash: a wallet listing only devnet (Wallet
  // Standard `chains` says what it supports, not where it is) is not refused here
  const devnetOnly = await openApp(newKeypair('devnet-only'), 'solana:devnet');
  await devnetOnly.getByTestId('connect-Test Wallet').click();
  await devnetOnly.locator('[data-testid="connected"][data-cluster="ok"]').waitFor();
  assert.equal(await devnetOnly.getByTestId('message').count(), 0, 'no cluster warning for a wallet listing devnet');
  // an app told it is on devnet while its endpoint serves this local cluster refuses to send
  const elsewhere = await openApp(newKeypair('elsewhere'), 'solana:devnet', '?cluster=devnet');
  await elsewhere.getByTestId('connect-Test Wallet').click();
  log(await messageText('not devnet', elsewhere));
  await elsewhere.getByTestId('file').setInputFiles({ ...shard, name: 'shard-0003.jsonl', buffer: Buffer.from('a third shard\n') });
  await elsewhere.getByTestId('uri').fill('ipfs://bafy/shard-0003.jsonl');
  await elsewhere.getByTestId('register').click();
  log(await messageText('Nothing was sent', elsewhere));
  await shot('wrong-cluster', elsewhere);
  // a wallet without SOL is told what registering needs before anything is signed
  const broke = newKeypair('broke');
  const poor = await openApp(broke, 'solana:localnet');
  await poor.getByTestId('connect-Test Wallet').click();
  await poor.getByTestId('connected').waitFor();
  await poor.getByTestId('file').setInputFiles({ ...shard, name: 'shard-0002.jsonl', buffer: Buffer.from('another shard\n') });
  await poor.getByTestId('uri').fill('ipfs://bafy/shard-0002.jsonl');
  await poor.getByTestId('register').click();
  log(await messageText('Not enough SOL', poor));
  await shot('insufficient-sol', poor);
  for (const [p, who] of [[elsewhere, 'endpoint on another cluster'], [poor, 'no SOL'], [devnetOnly, 'only connected']]) {
    assert.equal(await p.evaluate(() => window.__testWallet.signed), 0, `nothing signed (${who})`);
  }
  assert.equal(BigInt((await rpc.getBalance(address(broke.address)).send()).value), 0n, 'nothing sent for the wallet without SOL');
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

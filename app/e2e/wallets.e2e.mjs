// Wallets the app meets: one that only signs and lists only devnet (the app sends), an app told it
// is on devnet while its endpoint serves another cluster, and a wallet without SOL. Each is told
// what happens before anything is signed; the last two sign and send nothing.
import { test, expect, appUrl, messageText } from './support/fixtures.mjs';
import { RPC, balanceOf, fundedKeypair, newKeypair, newPool, tributary } from './support/chain.mjs';

const shard = (n, text) => ({ name: `shard-${n}.jsonl`, mimeType: 'application/jsonl', buffer: Buffer.from(text) });

test('a sign-only wallet listing only devnet: the cluster is the endpoint\'s, the wallet signs, the app sends', async ({ cluster, openApp, shot }) => {
  const pool = newPool(cluster.operator, cluster.mint);
  // the operator opened a page ahead of registrations: no page rent to agree to
  tributary(cluster.operator, 'pages', 'open', pool);
  const signer = await fundedKeypair('devnet-only', 1_000_000_000n);
  // Wallet Standard `chains` says what a wallet supports, not where it is
  const page = await openApp({ keys: signer, pool, chains: ['solana:devnet'] });
  await page.getByTestId('connect-Test Wallet').click();
  await page.locator('[data-testid="connected"][data-cluster="ok"][data-mode="sign"]').waitFor();
  await expect(page.getByTestId('message'), 'no cluster warning for a wallet listing devnet').toHaveCount(0);
  await page.getByTestId('file').setInputFiles(shard('0004', 'a fourth shard\n'));
  await page.getByTestId('uri').fill('ipfs://bafy/shard-0004.jsonl');
  await page.getByTestId('register-cost').waitFor();
  await expect(page.getByTestId('page-rent'), 'the open page has room: no page rent').toHaveCount(0);
  await page.getByTestId('register').click();
  await messageText(page, 'Registered');
  await page.getByTestId('contribution-0').waitFor();
  expect(await page.evaluate(() => [window.__testWallet.signed, window.__testWallet.sentByWallet]), 'signed by the wallet, sent by the app').toEqual([1, 0]);
  await shot('sign-only-wallet', page);
});

test('an app told it is on devnet while its endpoint serves another cluster sends nothing', async ({ cluster, openApp, shot }) => {
  const pool = newPool(cluster.operator, cluster.mint);
  const wallet = await fundedKeypair('elsewhere', 1_000_000_000n);
  const page = await openApp({ keys: wallet, chains: ['solana:devnet'], url: appUrl(pool).replace('cluster=localnet', 'cluster=devnet') });
  await page.getByTestId('connect-Test Wallet').click();
  await messageText(page, 'not devnet');
  await page.getByTestId('file').setInputFiles(shard('0003', 'a third shard\n'));
  await page.getByTestId('uri').fill('ipfs://bafy/shard-0003.jsonl');
  await page.getByTestId('page-rent-consent').check();
  await page.getByTestId('register').click();
  await messageText(page, 'Nothing was sent');
  await shot('wrong-cluster', page);
  expect(await page.evaluate(() => window.__testWallet.signed), 'nothing signed').toBe(0);
  expect(await balanceOf(wallet.address), 'nothing sent').toBe(1_000_000_000n);
  expect(page.url()).toContain(encodeURIComponent(RPC));
});

test('a wallet without SOL is told what registering needs, on a phone; nothing signed or sent', async ({ cluster, openApp, shot }) => {
  const pool = newPool(cluster.operator, cluster.mint);
  const broke = newKeypair('broke');
  const page = await openApp({ keys: broke, pool, width: 390 });
  await page.getByTestId('connect-Test Wallet').click();
  await page.getByTestId('connected').waitFor();
  await page.getByTestId('file').setInputFiles(shard('0002', 'another shard\n'));
  await page.getByTestId('uri').fill('ipfs://bafy/shard-0002.jsonl');
  await page.getByTestId('page-rent-consent').check();
  await page.getByTestId('register').click();
  await messageText(page, 'Not enough SOL');
  await shot('insufficient-sol-phone', page);
  expect(await page.evaluate(() => window.__testWallet.signed), 'nothing signed').toBe(0);
  expect(await balanceOf(broke.address), 'nothing sent').toBe(0n);
});

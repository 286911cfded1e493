// Good RPC manners: an idle pool page asks the endpoint (almost) nothing, and a deposit reaches it
// by subscription; without a WebSocket the page says so and polls.
import { writeFileSync } from 'node:fs';
import { test, expect, appUrl } from './support/fixtures.mjs';
import { RPC, fundedKeypair, newPool, tributary } from './support/chain.mjs';

const deposited = (amount, mint) => `${amount} ${mint.slice(0, 4)}…${mint.slice(-4)}`;

test('an idle, connected pool page makes at most 2 RPC requests a minute, and a deposit arrives by subscription', async ({ cluster, openApp }, testInfo) => {
  const { operator, mint } = cluster;
  const pool = newPool(operator, mint);
  tributary(operator, 'deposit', '--pool', pool, '--amount', '10');
  const contributor = await fundedKeypair('idle');
  const page = await openApp({ keys: contributor, pool, signAndSend: true });
  await page.getByTestId('connect-Test Wallet').click();
  await expect(page.getByTestId('live')).toHaveText('live');
  await expect(page.getByTestId('pool-deposited')).toHaveText(deposited(10, mint));
  await page.getByTestId('batches').getByText('No crank batches yet.').waitFor();
  await page.waitForTimeout(3_000);
  // HTTP requests only: the WebSocket's subscriptions stay open and cost none
  let requests = 0;
  page.on('request', (r) => {
    if (r.url().startsWith(RPC)) requests += 1;
  });
  await page.waitForTimeout(60_000);
  writeFileSync(testInfo.outputPath('idle-rpc.json'), JSON.stringify({ seconds: 60, httpRequests: requests }));
  testInfo.annotations.push({ type: 'idle RPC requests in 60 s', description: String(requests) });
  expect(requests, 'an idle page keeps quiet').toBeLessThanOrEqual(2);
  tributary(operator, 'deposit', '--pool', pool, '--amount', '7');
  await expect(page.getByTestId('pool-deposited')).toHaveText(deposited(17, mint));
});

test('without a WebSocket the page says it polls, catches up, and still confirms a transaction by block height', async ({ cluster, openApp }) => {
  const { operator, mint } = cluster;
  const pool = newPool(operator, mint);
  tributary(operator, 'pages', 'open', pool);
  tributary(operator, 'deposit', '--pool', pool, '--amount', '5');
  const contributor = await fundedKeypair('no-websocket');
  // nothing listens on the WebSocket given
  const page = await openApp({ keys: contributor, url: appUrl(pool, `&ws=${encodeURIComponent('ws://127.0.0.1:9/')}`) });
  await expect(page.getByTestId('live')).toHaveText('polling');
  await expect(page.getByTestId('pool-deposited')).toHaveText(deposited(5, mint));
  tributary(operator, 'deposit', '--pool', pool, '--amount', '3');
  await expect(page.getByTestId('pool-deposited')).toHaveText(deposited(8, mint));
  // kit's confirmation needs the WebSocket; without it the app polls the signature's status
  // against the blockhash's last valid block height
  await page.getByTestId('connect-Test Wallet').click();
  await page.getByTestId('file').setInputFiles({ name: 'shard.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from('sent without a WebSocket\n') });
  await page.getByTestId('uri').fill('ipfs://bafy/no-websocket.jsonl');
  await page.getByTestId('register-cost').waitFor();
  await page.getByTestId('register').click();
  await expect(page.getByTestId('message')).toContainText('Registered: confirmed');
  await page.getByTestId('contribution-0').waitFor();
});

// A contributor's whole life in one pool, as steps of one test (each needs the one before): connect
// (a wallet listing several chains, sending with signAndSendTransaction) → register a file, agreeing
// to the new ledger page's rent → bad payout accounts refused → the operator posts a report's
// weights and deposits → earnings and the report checked in the page → crank → payout, charts →
// more revenue → a rejected signature, a hostile priority fee → claim → statement and CSV, from RPC
// and from the indexer, an inventing indexer caught → phone layout → reload, disconnect, account
// switching → payouts to another account and back → retire and close with the rent back.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { address, getBase58Decoder } from '@solana/kit';
import { test, expect, appUrl, linkedSignature, messageText } from './support/fixtures.mjs';
import { INDEXER, PROGRAM, RPC, balanceOf, createTokenAccount, fundedKeypair, ledgerPage, newKeypair, newPool, rpc, tributary, waitFor } from './support/chain.mjs';

/** getProgramAccounts filters: `contributor`'s Contribution accounts. */
const contributionsOf = (contributor) => [
  { memcmp: { offset: 0n, bytes: getBase58Decoder().decode(createHash('sha256').update('account:Contribution').digest().subarray(0, 8)), encoding: 'base58' } },
  { memcmp: { offset: 40n, bytes: contributor, encoding: 'base58' } },
];

test('a contributor registers, earns, claims, and closes with the rent back', async ({ cluster, openApp, shot, accessible }, testInfo) => {
  const { operator, mint } = cluster;
  const pool = newPool(operator, mint);
  const contributor = await fundedKeypair('contributor');
  // the wallet lists every cluster (as Phantom does) and sends what it signs; a second account to switch to
  const other = newKeypair('contributor-second-account');
  const page = await openApp({ keys: [contributor, other], pool, signAndSend: true });
  const cell = (entry, id) => page.getByTestId(`contribution-${entry}`).getByTestId(id);
  const fileBytes = Buffer.from('a curated training shard\n'.repeat(100));
  const expectedHash = createHash('sha256').update(fileBytes).digest('hex');

  await test.step('connect; the pool page is live and says its vault cannot be frozen', async () => {
    await shot('wallet-available', page);
    await page.getByTestId('connect-Test Wallet').click();
    await page.locator('[data-testid="connected"][data-mode="signAndSend"]').waitFor();
    await expect(page.getByTestId('pool-freeze-authority')).toHaveText('none: the vault cannot be frozen');
    // updates arrive by subscription, not by polling
    await expect(page.getByTestId('live')).toHaveText('live');
    await shot('connected', page);
  });

  await test.step('register a file, agreeing to the new ledger page\'s rent: paid exactly what was shown', async () => {
    await page.getByTestId('file').setInputFiles({ name: 'shard-0001.jsonl', mimeType: 'application/jsonl', buffer: fileBytes });
    await page.getByTestId('file-hash').filter({ hasText: expectedHash }).waitFor();
    await page.getByTestId('uri').fill('ipfs://bafy/shard-0001.jsonl');
    await page.getByTestId('page-rent').waitFor();
    const pageRentShown = /so you\s+pay: ([0-9.]+) SOL/.exec(await page.getByTestId('page-rent').innerText())?.[1];
    await expect(page.getByTestId('register')).toBeDisabled();
    await shot('page-rent-consent', page);
    await page.getByTestId('page-rent-consent').check();
    const solBefore = await balanceOf(contributor.address);
    await page.getByTestId('register').click();
    await messageText(page, 'Registered');
    await page.getByTestId('contribution-0').waitFor();
    const page0 = await ledgerPage(pool, 0);
    const pageRent = BigInt((await rpc.getAccountInfo(page0, { commitment: 'confirmed', encoding: 'base64' }).send()).value.lamports);
    expect(pageRentShown, "the consent named the page's rent").toBe((Number(pageRent) / 1e9).toString());
    const registerSig = await linkedSignature(page);
    const registerFee = BigInt((await rpc.getTransaction(registerSig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, encoding: 'json' }).send()).meta.fee);
    const solAfter = await balanceOf(contributor.address);
    const [contribution] = await rpc.getProgramAccounts(PROGRAM, { encoding: 'base64', commitment: 'confirmed', filters: contributionsOf(contributor.address) }).send();
    const ataRent = await rpc.getMinimumBalanceForRentExemption(165n).send();
    expect(solBefore - solAfter, 'paid: the page, the contribution, the payout account and the fee, nothing more').toBe(pageRent + BigInt(contribution.account.lamports) + ataRent + registerFee);
    // creating the payout account is not a payout; the registration carries the cluster's time
    await expect(cell(0, 'last-payout')).toHaveText('—');
    await expect(cell(0, 'registered')).not.toHaveText('—');
    await expect(cell(0, 'destination')).toHaveText('main account');
    await shot('registered', page);
  });

  await test.step('a payout account that is not a token account, or does not exist, is explained; nothing signed', async () => {
    await page.getByTestId('contribution-0').locator('summary').click();
    await cell(0, 'new-destination').fill(mint);
    await cell(0, 'change-destination').click();
    await messageText(page, 'not a token account');
    await shot('bad-payout-account', page);
    await page.getByTestId('dismiss').click();
    await cell(0, 'new-destination').fill(newKeypair('nowhere').address);
    await cell(0, 'change-destination').click();
    await messageText(page, 'does not exist');
    await shot('missing-token-account', page);
    await page.getByTestId('dismiss').click();
    await cell(0, 'new-destination').fill('');
    expect(await page.evaluate(() => window.__testWallet.signed)).toBe(1);
  });

  const reportFile = testInfo.outputPath('report.json');
  await test.step('the operator posts a report built from usage receipts, then deposits: earnings appear; the report checks out in the page', async () => {
    const receiptLine = (id, score) => JSON.stringify({ v: 1, id, time: 1_764_520_000, pool, consumer: 'e2e', kind: 'inference', uses: [{ entry: 0, content_hash: expectedHash, score }] });
    const receipts = testInfo.outputPath('receipts.jsonl');
    writeFileSync(receipts, `${receiptLine('req-1', '0.5')}\n${receiptLine('req-2', '1.25')}\n`);
    tributary(operator, 'attest', 'build', '--receipts', receipts, '--pool', pool, '--epoch', '1', '--out', reportFile);
    tributary(operator, 'weights', 'set', '--pool', pool, '--report', reportFile);
    tributary(operator, 'attest', 'verify', '--pool', pool, '--report', reportFile, '--receipts', receipts);
    tributary(operator, 'deposit', '--pool', pool, '--amount', '100');
    await expect(cell(0, 'owed')).toHaveText('100');
    await expect(cell(0, 'weight')).toHaveText('100 %');
    const reportText = readFileSync(reportFile, 'utf8');
    const onChainHash = createHash('sha256').update(reportText.trimEnd()).digest('hex');
    await expect(cell(0, 'report')).toHaveAttribute('title', onChainHash);
    await cell(0, 'check-report').setInputFiles({ name: 'report.json', mimeType: 'application/json', buffer: Buffer.from(reportText) });
    await expect(cell(0, 'report-check')).toHaveText('Matches the chain: epoch 1, weight 100 % of the report (1099511627776 of 1099511627776), from 2 usage receipts');
    // a well-formed report that is not the one on chain (another epoch) is named as such
    await cell(0, 'check-report').setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from(reportText.replace('"epoch":1', '"epoch":7')) });
    await expect(cell(0, 'report-check')).toContainText('is not the report hash on chain');
    await shot('earnings-appear', page);
  });

  await test.step('the operator cranks: the payout arrives (less the 0.1 % reward), drawn per contribution, per day and per contributor', async () => {
    tributary(operator, 'crank', '--pool', pool, '--once');
    await expect(cell(0, 'paid')).toHaveText('99.9');
    await expect(page.getByTestId('token-balance')).toHaveText('99.9');
    await page.getByTestId('batch').first().waitFor();
    await expect(cell(0, 'last-payout')).not.toHaveText('—');
    await cell(0, 'show-history').click();
    for (const chart of ['earnings-chart', 'spread-chart', 'payouts-chart']) {
      await page.getByTestId(chart).locator('svg.recharts-surface').first().waitFor();
    }
    await expect(page.getByTestId('earnings-chart')).toHaveAttribute('aria-label', /99\.9/);
    await shot('cranked-charts', page);
  });

  await test.step('more revenue; a rejected signature sends nothing', async () => {
    tributary(operator, 'deposit', '--pool', pool, '--amount', '50');
    await expect(cell(0, 'owed')).toHaveText('50');
    await page.evaluate(() => {
      window.__testWallet.rejectNext = true;
    });
    await cell(0, 'claim').click();
    await messageText(page, 'rejected');
    await expect(cell(0, 'owed')).toHaveText('50');
    await shot('claim-rejected', page);
  });

  let linked;
  await test.step('a hostile RPC fee answer: asked before signing; cancel sends nothing; the claim goes out at the cap', async () => {
    // anyone can bid up recent fees on the pool's accounts, and `?rpc=` can be any endpoint: a fee
    // of 2,000 lamports per CU, with junk entries among the fees
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
    testInfo.annotations.push({ type: 'hostile fee', description: `${suggestedTotal} at the RPC's suggestion, ${capTotal} at the cap` });
    expect(Number(suggestedTotal.split(' ')[0])).toBeGreaterThan(0.01);
    expect(Number(capTotal.split(' ')[0])).toBeLessThan(0.0002);
    await shot('fee-above-cap', page);
    await page.getByTestId('fee-cancel').click();
    await messageText(page, 'Cancelled: nothing was signed');
    await expect(cell(0, 'owed')).toHaveText('50');
    const lamportsBefore = await balanceOf(contributor.address);
    await cell(0, 'claim').click();
    await page.getByTestId('fee-at-cap').click();
    await page.getByTestId('fee').filter({ hasText: 'priority at 100000 micro-lamports' }).waitFor();
    await messageText(page, 'Claimed');
    await page.unroute(toRpc);
    const paidFee = lamportsBefore - (await balanceOf(contributor.address));
    expect(paidFee, 'the fee stayed at the cap').toBeGreaterThan(5_000n);
    expect(paidFee, 'the fee stayed at the cap').toBeLessThanOrEqual(5_000n + 140_000n);
    await expect(page.getByTestId('token-balance')).toHaveText('149.9');
    await expect(cell(0, 'owed')).toHaveText('0');
    await shot('claimed', page);
    // every signature links to the explorer on this cluster (a local one through its custom-RPC mode)
    linked = await linkedSignature(page);
    expect((await rpc.getSignatureStatuses([linked]).send()).value[0]?.err, 'the link names the claim that landed').toBe(null);
    // the app's transactions carry a compute-unit limit (from simulation) and a price
    const claimTx = await rpc.getTransaction(linked, { encoding: 'json', maxSupportedTransactionVersion: 0, commitment: 'confirmed' }).send();
    const keys = claimTx.transaction.message.accountKeys;
    expect(claimTx.transaction.message.instructions.filter((ix) => keys[ix.programIdIndex] === 'ComputeBudget111111111111111111111111111111')).toHaveLength(2);
    // this wallet offers signAndSendTransaction for this cluster: it signed and sent both itself
    expect(await page.evaluate(() => [window.__testWallet.signed, window.__testWallet.sentByWallet])).toEqual([2, 2]);
  });

  const today = new Date().toISOString().slice(0, 10);
  let csv;
  let statementTotal;
  await test.step("the earnings statement: today's payouts, and a CSV of exactly those rows", async () => {
    await page.getByTestId('statement-from').fill(today);
    await page.getByTestId('statement-to').fill(today);
    await page.getByTestId('statement-total').filter({ hasText: /^[1-9]\d* payouts?, / }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('statement-csv').click()]);
    csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('date_utc,pool,mint,payout_account,entries,amount,amount_base_units,signature');
    expect(csv.some((line) => line.endsWith(`,${linked}`)), 'the claim is a row of the statement').toBe(true);
    statementTotal = await page.getByTestId('statement-total').innerText();
    expect(statementTotal.startsWith(`${csv.length - 1} payout`), `${statementTotal} / ${csv.length - 1} rows`).toBe(true);
    await shot('statement', page);
  });

  await test.step('the same statement from the indexer, checked against the ledger; the pool per day; an inventing indexer is caught', async () => {
    const indexed = await openApp({ keys: contributor, pool, signAndSend: true, url: appUrl(pool, `&indexer=${encodeURIComponent(INDEXER)}`) });
    await indexed.getByTestId('connect-Test Wallet').click();
    await indexed.locator('[data-testid="statement"][data-source="indexer"]').waitFor();
    await indexed.getByTestId('statement-from').fill(today);
    await indexed.getByTestId('statement-to').fill(today);
    await indexed.getByTestId('statement-total').filter({ hasText: statementTotal }).waitFor();
    const [download] = await Promise.all([indexed.waitForEvent('download'), indexed.getByTestId('statement-csv').click()]);
    expect(readFileSync(await download.path(), 'utf8').trim().split('\r\n'), 'the indexer gives the statement the chain gives, row for row').toEqual(csv);
    // all time: the indexed total agrees with the program's ledger (no warning)
    await indexed.getByTestId('statement-from').fill('');
    await indexed.getByTestId('statement-to').fill('');
    await indexed.getByTestId('statement-total').filter({ hasText: statementTotal }).waitFor();
    await expect(indexed.getByTestId('statement-disagrees')).toHaveCount(0);
    await indexed.getByTestId('batch').first().waitFor();
    // the pool per day: what it paid equals the pool's own total; its CSV has today
    const poolPaid = (await indexed.getByTestId('pool-paid').innerText()).split(' ')[0];
    await expect(indexed.getByTestId('pool-days-paid')).toHaveText(poolPaid);
    const daysCsv = await (await fetch(await indexed.getByTestId('pool-days-csv').getAttribute('href'))).text();
    const [daysHeader, ...dayRows] = daysCsv.trim().split('\r\n');
    expect(daysHeader).toBe('day,deposited,deposits,usage_fees,usage_payments,paid,payouts,cranker_rewards,crank_batches');
    expect(dayRows.some((r) => r.startsWith(`${today},`)), daysCsv).toBe(true);
    await shot('statement-indexer', indexed);
    await indexed.route(`${INDEXER}/v1/wallets/**`, async (route) => {
      const real = await (await route.fetch()).json();
      const fake = { ...real.items[0], signature: 'invented', amount: '999000000' };
      await route.fulfill({ json: { items: [...real.items, fake], next: null } });
    });
    await indexed.reload();
    // the wallet reconnects silently on reload
    await indexed.getByTestId('connected').waitFor();
    await indexed.getByTestId('statement-disagrees').filter({ hasText: 'indexed' }).waitFor();
    await shot('statement-indexer-disagrees', indexed);
  });

  await test.step('accessible, and on a phone one column with nothing wider than the screen', async () => {
    await accessible(page, 'pool-page');
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
    expect(await overflowing(), 'no sideways scrolling on a phone').toEqual([]);
    await accessible(page, 'pool-page-phone');
    await shot('phone', page);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await test.step('a reload reconnects silently; disconnecting forgets; switching accounts in the wallet switches the page', async () => {
    await page.reload();
    await page.locator('[data-testid="connected"][data-mode="signAndSend"]').waitFor();
    expect(await page.evaluate(() => [window.__testWallet.connects, window.__testWallet.silentConnects]), 'reconnected silently, no prompt').toEqual([0, 1]);
    await expect(cell(0, 'paid')).toHaveText('149.9');
    await page.getByTestId('disconnect').click();
    await page.getByTestId('connect-Test Wallet').waitFor();
    await page.reload();
    await page.getByTestId('connect-Test Wallet').waitFor();
    await page.waitForTimeout(1_000);
    await expect(page.getByTestId('connected'), 'a disconnected wallet stays disconnected after a reload').toHaveCount(0);
    await shot('disconnected', page);
    await page.getByTestId('connect-Test Wallet').click();
    await page.getByTestId('connected').waitFor();
    await page.evaluate(() => window.__testWallet.switchTo(1));
    await page.getByTestId('connected').filter({ hasText: other.address.slice(-4) }).waitFor();
    await page.getByTestId('mine').getByText('None yet in this pool.').waitFor();
    await shot('switched-account', page);
    await page.evaluate(() => window.__testWallet.switchTo(0));
    await page.getByTestId('connected').filter({ hasText: contributor.address.slice(-4) }).waitFor();
    await page.getByTestId('contribution-0').waitFor();
  });

  await test.step('payouts to another token account of the contributor\'s, then back to the main one with one button', async () => {
    const secondAccount = await createTokenAccount(operator, contributor.address, mint);
    await page.getByTestId('contribution-0').locator('summary').click();
    await cell(0, 'new-destination').fill(secondAccount);
    await cell(0, 'change-destination').click();
    await messageText(page, 'Payout account changed');
    await expect(cell(0, 'destination')).toHaveText(`${secondAccount.slice(0, 4)}…${secondAccount.slice(-4)}`);
    await shot('other-payout-account', page);
    await cell(0, 'pay-to-main').click();
    await messageText(page, 'main account');
    await expect(cell(0, 'destination')).toHaveText('main account');
  });

  await test.step("retire, then close: the button says the rent that comes back (less the slot's share of a page), and exactly that arrives", async () => {
    await cell(0, 'retire').click();
    await messageText(page, 'Retired');
    const closeButton = cell(0, 'close');
    await closeButton.waitFor();
    const offered = /\+([0-9.]+) SOL/.exec(await closeButton.innerText())?.[1];
    const [contribution] = await rpc.getProgramAccounts(PROGRAM, { encoding: 'base64', commitment: 'confirmed', filters: contributionsOf(contributor.address) }).send();
    expect(contribution, 'the contribution account exists before closing').toBeTruthy();
    const rent = BigInt(contribution.account.lamports);
    const poolBefore = await balanceOf(pool);
    const before = await balanceOf(contributor.address);
    await closeButton.click();
    await messageText(page, 'Closed');
    const closedSig = await linkedSignature(page);
    const fee = BigInt((await rpc.getTransaction(closedSig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, encoding: 'json' }).send()).meta.fee);
    const after = await balanceOf(contributor.address);
    const slotShare = (await balanceOf(pool)) - poolBefore;
    expect(slotShare > 0n && slotShare < rent, "the slot's share of a page went to the pool's page fund").toBe(true);
    expect(offered, 'the button offered what came back').toBe((Number(rent - slotShare) / 1e9).toString());
    expect(after - before, "the rent came back, less the slot's share and the fee").toBe(rent - slotShare - fee);
    expect((await rpc.getAccountInfo(address(contribution.pubkey), { commitment: 'confirmed' }).send()).value, 'the account is gone').toBe(null);
    await page.getByTestId('contribution-0').waitFor({ state: 'detached' });
    await shot('closed', page);
  });
});

// The browser tests' fixtures: `openApp` opens the app in a browser context of its own (storage of
// its own, traced) with a test wallet; `shot` attaches a screenshot to the test; `cluster` is what the
// global setup made. Each test makes its own pools and wallets, so any one runs alone.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect } from '@playwright/test';
import { APP, RPC, cluster } from './chain.mjs';

const walletSource = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'test-wallet.js'), 'utf8');
const ALL_CHAINS = ['solana:mainnet', 'solana:devnet', 'solana:testnet', 'solana:localnet'];
const axeSource = readFileSync(fileURLToPath(import.meta.resolve('axe-core/axe.min.js')), 'utf8');

/** The app's address for `pool` on this cluster (`extra` query parameters appended). */
export const appUrl = (pool, extra = '') => `${APP}/?cluster=localnet&rpc=${encodeURIComponent(RPC)}${pool ? `&pool=${pool}` : ''}${extra}`;

export const test = base.extend({
  cluster: async ({}, use) => use(cluster()),
  /** A page of the app with a test wallet holding `keys` (one or several accounts), listing
   * `chains`, with or without signAndSendTransaction; `url` defaults to `pool`'s page. */
  openApp: async ({ browser }, use, testInfo) => {
    const contexts = [];
    await use(async ({ keys = [], pool = null, chains = ALL_CHAINS, signAndSend = false, url, width = 1280 } = {}) => {
      const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => testInfo.annotations.push({ type: 'page error', description: e.message }));
      const list = Array.isArray(keys) ? keys : [keys];
      if (list.length > 0) {
        const options = { keys: list.map((k) => ({ seed: k.seed, publicKey: k.publicKey, address: k.address })), chains, signAndSend, rpcUrl: RPC };
        await page.addInitScript({ content: `${walletSource}\ninstallTestWallet(${JSON.stringify(options)});` });
      }
      await page.goto(url ?? appUrl(pool));
      if (list.length > 0) await page.getByTestId('connect-Test Wallet').waitFor();
      return page;
    });
    for (const c of contexts) await c.close();
  },
  /** A full-page screenshot attached to the test (and kept in its output folder). */
  shot: async ({}, use, testInfo) => {
    let step = 0;
    await use(async (name, page) => {
      step += 1;
      const path = testInfo.outputPath(`${String(step).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path, fullPage: true });
      await testInfo.attach(name, { path, contentType: 'image/png' });
    });
  },
  /** axe-core's WCAG checks on the page as it is now: no serious or critical violation. */
  accessible: async ({}, use, testInfo) => {
    await use(async (page, where) => {
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
      });
      await testInfo.attach(`axe-${where}`, { body: JSON.stringify(result, null, 2), contentType: 'application/json' });
      expect(result.filter((v) => v.impact === 'serious' || v.impact === 'critical'), `axe-core on ${where}`).toEqual([]);
    });
  },
});

export { expect };

/** The text of the app's message once it matches `pattern`. */
export async function messageText(page, pattern) {
  const m = page.getByTestId('message');
  await m.filter({ hasText: pattern }).waitFor({ timeout: 60_000 });
  return m.locator('span').innerText();
}

/** The signature the message's explorer link names, checked to point at this cluster. */
export async function linkedSignature(page) {
  const href = await page.getByTestId('explorer-link').getAttribute('href');
  const prefix = 'https://explorer.solana.com/tx/';
  expect(href?.startsWith(prefix) && href.includes(`customUrl=${encodeURIComponent(RPC)}`), href).toBe(true);
  return href.slice(prefix.length).split('?')[0];
}

/** The mint as the app shortens it. */
export const shortMint = (mint) => `${mint.slice(0, 4)}…${mint.slice(-4)}`;

// The browser tests (e2e/*.e2e.mjs) in Debian's Chromium against a real validator, the indexer and
// the built app, all started once by the global setup. One worker: the tests share one validator
// on two cores; each makes its own pools and wallets, so each can run alone (`--grep`). Every
// test keeps a trace (npx playwright show-trace) and its screenshots under test-results/.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.e2e.mjs',
  outputDir: 'test-results/tests',
  globalSetup: './e2e/support/cluster.setup.mjs',
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 300_000,
  expect: { timeout: 60_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'test-results/report' }]],
  use: {
    trace: 'on',
    actionTimeout: 60_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});

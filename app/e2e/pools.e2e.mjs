// Without ?pool=: the program's pools listed, each a link to its page; a Token-2022 pool shows its
// token's symbol and name from the mint's own metadata. The deploy script runs twice unchanged.
import { test, expect, appUrl } from './support/fixtures.mjs';
import { createMetadataMint, migrate, newPool, tributary } from './support/chain.mjs';

test('the pool list links every pool, named by its token', async ({ cluster, openApp, shot, accessible }) => {
  const { operator, mint } = cluster;
  const pool = newPool(operator, mint);
  await test.step('the deploy script: run again it changes nothing; without a mint on localnet it makes one', async () => {
    const id = String(Date.now());
    const first = migrate(operator, { TRIBUTARY_MINT: mint, TRIBUTARY_POOL_ID: id });
    expect(migrate(operator, { TRIBUTARY_MINT: mint, TRIBUTARY_POOL_ID: id })).toEqual({ ...first, created: false });
    const second = migrate(operator, { TRIBUTARY_POOL_ID: `${id}1`, TRIBUTARY_CRANKER_REWARD_BPS: '25', TRIBUTARY_MIN_PAYOUT: '1000' });
    const shown = JSON.parse(tributary(operator, 'pool', 'show', second.pool, '--output', 'json'));
    expect([second.created, shown.mint, shown.decimals, shown.cranker_reward_bps, shown.min_payout]).toEqual([true, second.mint, 6, 25, 1000]);
  });
  const metadataPool = newPool(operator, await createMetadataMint(operator, 'Tributary Test Dollar', 'TTD'));

  const listing = await openApp({ url: appUrl(null) });
  await listing.getByTestId('pool-list').waitFor();
  expect(await listing.getByTestId('pool-link').count()).toBeGreaterThanOrEqual(3);
  await listing.getByTestId('pool-token').filter({ hasText: 'TTD · Tributary Test Dollar' }).first().waitFor();
  await expect(listing.getByTestId('register-panel')).toHaveCount(0);
  await accessible(listing, 'pool-list');
  await shot('pool-list', listing);
  await listing.locator(`a[data-testid="pool-link"][href*="pool=${metadataPool}"]`).click();
  await expect(listing.getByTestId('pool-token')).toContainText('TTD (Tributary Test Dollar), 6 decimals');
  await listing.goto(appUrl(null));
  await listing.locator(`a[data-testid="pool-link"][href*="pool=${pool}"]`).click();
  await listing.getByTestId('pool-contributors').waitFor();
  expect(listing.url()).toContain(`pool=${pool}`);
  expect(listing.url()).toContain('cluster=localnet');
});

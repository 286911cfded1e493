// The indexer client against the real `tributary-index` binary (built by scripts/test-ts) serving
// an empty SQLite database: URLs, answers, CSV and named refusals as the service gives them. The
// client over a filled index, on a real validator, is the browser test's (app/e2e/contributor.e2e.mjs).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIndexerClient, IndexerError, TRIBUTARY_PROGRAM_ADDRESS, type IndexerClient } from '../src';

const binary = fileURLToPath(new URL('../../../target/debug/tributary-index', import.meta.url));
const spec = JSON.parse(readFileSync(fileURLToPath(new URL('../../../crates/tributary-index/openapi.json', import.meta.url)), 'utf8'));
const wallet = 'So11111111111111111111111111111111111111112';
let child: ChildProcess;
let client: IndexerClient;
let dir: string;

beforeAll(async () => {
  if (!existsSync(binary)) throw new Error(`${binary} missing: cargo build -p tributary-index (scripts/test-ts does)`);
  dir = mkdtempSync(join(tmpdir(), 'tributary-index-client-'));
  child = spawn(binary, ['--database', join(dir, 'index.sqlite'), '--listen', '127.0.0.1:0', 'serve'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /listening on (http:\/\/\S+)\r?\n/.exec(seen); // the whole line: a chunk can end mid-URL
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`tributary-index exited ${code}: ${seen}`)));
  });
  client = createIndexerClient(url);
}, 30_000);

afterAll(() => {
  child?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the indexer client', () => {
  it('reads the status of an empty index of the program', async () => {
    const status = await client.status();
    expect(status.program).toBe(TRIBUTARY_PROGRAM_ADDRESS);
    expect(status.database).toBe('sqlite');
    expect(status.transactions).toBe(0);
    expect(status.follower).toBeNull();
  });
  it('lists, pages and exports an empty statement', async () => {
    expect(await client.walletPayouts(wallet, { from: '2026-01-01', to: '2026-12-31', limit: 10 })).toEqual({ items: [], next: null });
    expect(await client.allWalletPayouts(wallet)).toEqual([]);
    const csv = await client.walletPayoutsCsv(wallet, { from: '2026-01-01' });
    expect(csv).toBe('date_utc,block_time,pool,mint,payout_account,owner,contributor,entries,kind,amount,slot,signature,finalized\r\n');
    expect(client.walletPayoutsCsvUrl(wallet, { from: '2026-01-01', pool: undefined })).toBe(`${client.baseUrl}/v1/wallets/${wallet}/payouts?from=2026-01-01&format=csv`);
    expect(await client.poolCrankBatches(wallet, { order: 'desc', limit: 5 })).toEqual({ items: [], next: null });
    expect(await client.poolTotals(wallet)).toMatchObject({ paid: '0', deposited: '0', payouts: 0 });
  });
  it('surfaces the service’s named refusals', async () => {
    const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
    const bad = await refusal(client.walletPayouts('not-an-address'));
    expect(bad).toBeInstanceOf(IndexerError);
    expect((bad as IndexerError).status).toBe(400);
    expect((bad as IndexerError).message).toContain('wallet is not a base58 address');
    const day = await refusal(client.walletPayouts(wallet, { from: '2026-02-30' }));
    expect((day as IndexerError).message).toContain('from is neither YYYY-MM-DD nor unix seconds');
    const limit = await refusal(client.walletPayouts(wallet, { limit: 5000 }));
    expect((limit as IndexerError).message).toContain('limit is 1 to 1000');
  });
  it('serves the OpenAPI document its types were generated from', async () => {
    const served = await (await fetch(`${client.baseUrl}/openapi.json`)).json();
    expect(served).toEqual(spec);
  });
});

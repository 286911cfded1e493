// Playwright's global setup: a real solana-test-validator with the program, the indexer following
// it from its first transaction (SQLite), the built app served on loopback, and an operator with
// SOL and a mint. Each test makes its own pools and wallets on it. Returns the teardown.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP, APP_PORT, clusterDir, createMint, EXITED, INDEXER, INDEXER_PORT, PROGRAM, RPC, RPC_PORT, airdrop, newKeypair, root, rpc, waitFor } from './chain.mjs';

export default async function setup() {
  const validatorBin = process.env.TRIBUTARY_TEST_VALIDATOR;
  if (!validatorBin) throw new Error('TRIBUTARY_TEST_VALIDATOR is not set: run scripts/test-e2e');
  rmSync(clusterDir, { recursive: true, force: true });
  mkdirSync(clusterDir, { recursive: true });
  const children = [];
  let stopping = false;
  const start = (cmd, args, name) => {
    const logFile = createWriteStream(join(clusterDir, `${name}.log`));
    // its own process group, so that stopping it stops whatever it started too
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, cwd: join(root, 'app') });
    // both streams write one file: neither may end it; it ends once the child's stdio has closed
    child.stdout.pipe(logFile, { end: false });
    child.stderr.pipe(logFile, { end: false });
    child.on('close', (code, signal) => {
      logFile.end(() => {
        if (stopping) return;
        const tail = readFileSync(join(clusterDir, `${name}.log`), 'utf8').trimEnd().split('\n').slice(-20).join('\n');
        writeFileSync(EXITED, `${name} exited early (code ${code}, signal ${signal})`);
        console.error(`${name} exited early (code ${code}, signal ${signal}); the end of its log:\n${tail}`);
      });
    });
    children.push(child);
  };
  const teardown = async () => {
    stopping = true;
    for (const c of children) {
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {}
    }
  };
  try {
    start(validatorBin, ['--ledger', join(clusterDir, 'ledger'), '--reset', '--quiet', '--bind-address', '127.0.0.1', '--rpc-port', `${RPC_PORT}`,
      '--faucet-port', `${RPC_PORT + 2}`, '--gossip-port', `${RPC_PORT + 3}`, '--dynamic-port-range', `${RPC_PORT + 10}-${RPC_PORT + 190}`,
      '--bpf-program', PROGRAM, join(root, 'target/deploy/tributary.so')], 'validator');
    await waitFor('validator', async () => (await rpc.getHealth().send()) === 'ok' && (await rpc.getSlot().send()) > 1n, 120_000);
    start(join(root, 'target/debug/tributary-index'), ['--rpc-url', RPC, '--database', join(clusterDir, 'index.sqlite'), '--listen', `127.0.0.1:${INDEXER_PORT}`, '--poll-ms', '300', 'run'], 'indexer');
    start('npx', ['vite', 'preview', '--port', `${APP_PORT}`, '--strictPort'], 'preview');
    await waitFor('indexer', async () => (await fetch(`${INDEXER}/v1/status`)).ok);
    await waitFor('app server', async () => (await fetch(`${APP}/`)).ok);
    const operator = newKeypair('operator');
    await airdrop(operator.address, 500_000_000_000n);
    const mint = await createMint(operator);
    process.env.TRIBUTARY_E2E = JSON.stringify({ operator, mint });
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}

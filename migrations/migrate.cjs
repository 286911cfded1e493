#!/usr/bin/env node
// `anchor migrate` without the Anchor CLI: runs migrations/deploy.ts with an AnchorProvider built the
// way the CLI builds it, from ANCHOR_PROVIDER_URL [http://127.0.0.1:8899, Anchor.toml's localnet]
// and ANCHOR_WALLET [~/.config/solana/id.json]. TypeScript is transpiled in memory (no emit).
//
//   npm run migrate
//   ANCHOR_PROVIDER_URL=https://api.devnet.solana.com TRIBUTARY_MINT=... npm run migrate
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');
const ts = require('typescript');

function loadTypeScript(file) {
  const source = fs.readFileSync(file, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
  });
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  m._compile(outputText, file);
  return m.exports;
}

async function main() {
  const url = process.env.ANCHOR_PROVIDER_URL || 'http://127.0.0.1:8899';
  process.env.ANCHOR_WALLET ||= path.join(os.homedir(), '.config/solana/id.json');
  if (!fs.existsSync(process.env.ANCHOR_WALLET)) {
    throw new Error(`wallet ${process.env.ANCHOR_WALLET} not found: set ANCHOR_WALLET to a keypair file`);
  }
  const anchor = require('@anchor-lang/core');
  const connection = new anchor.web3.Connection(url, 'confirmed');
  const provider = new anchor.AnchorProvider(connection, anchor.Wallet.local(), {
    preflightCommitment: 'confirmed',
    commitment: 'confirmed',
  });
  const deploy = loadTypeScript(path.join(__dirname, 'deploy.ts'));
  await deploy(provider);
}

main().catch((error) => {
  console.error(`migrate: ${error instanceof Error ? error.message : error}`);
  if (error && error.logs) console.error(error.logs.join('\n'));
  process.exit(1);
});

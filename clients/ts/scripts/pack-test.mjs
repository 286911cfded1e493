// The package as a stranger gets it: `npm pack` (which builds dist/), the tarball installed into a
// scratch project outside this repository's workspace, pack-test/example.ts type-checked there
// under NodeNext against the published declarations, then run against the program's sBPF build in
// LiteSVM. Fails if the tarball ships source or misses a file the example needs.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const so = fileURLToPath(new URL('../../../target/deploy/tributary.so', import.meta.url));
if (!existsSync(so)) throw new Error(`${so} missing: run scripts/build-sbf`);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const scratch = mkdtempSync(join(tmpdir(), 'tributary-client-pack-'));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

try {
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', scratch], root).trim().split('\n').pop();
  const files = run('tar', ['-tzf', join(scratch, tarball)], scratch).trim().split('\n').sort();
  const expected = ['package/README.md', 'package/dist/index.d.ts', 'package/dist/index.js', 'package/dist/index.js.map', 'package/package.json'];
  if (JSON.stringify(files) !== JSON.stringify(expected)) throw new Error(`the tarball holds ${files.join(', ')}; expected ${expected.join(', ')}`);

  const dev = pkg.devDependencies;
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({
    name: 'tributary-client-consumer', private: true, type: 'module',
    dependencies: {
      '@tributary/client': `file:./${tarball}`,
      // the client's peer, at the version a front-end team on today's kit has
      '@solana/kit': dev['@solana/kit'],
      litesvm: dev.litesvm, '@solana-program/token': dev['@solana-program/token'], '@solana-program/system': dev['@solana-program/system'],
      typescript: dev.typescript, '@types/node': dev['@types/node'],
    },
  }, null, 2));
  // strict peer resolution: the client's peer (@solana/kit ^8.4) and the token helpers' (^8) meet
  // in one copy of kit, with no --legacy-peer-deps
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--strict-peer-deps', '--loglevel=error'], scratch);
  const kits = run('npm', ['ls', '@solana/kit', '--all', '--parseable'], scratch).trim().split('\n').filter((l) => l.endsWith('/@solana/kit'));
  if (kits.length !== 1) throw new Error(`one copy of @solana/kit expected, found ${kits.length}: ${kits.join(', ')}`);
  for (const f of ['example.ts', 'tsconfig.json']) copyFileSync(join(root, 'pack-test', f), join(scratch, f));
  run('node', [join(scratch, 'node_modules/typescript/bin/tsc'), '-p', '.'], scratch);
  const out = JSON.parse(run('node', ['out/example.js', so], scratch).trim().split('\n').pop());
  if (!out.ok || out.owed !== '1000000006') throw new Error(`example: ${JSON.stringify(out)}`);
  console.log(`${tarball}: ${files.length} files; installed outside the workspace, type-checked (NodeNext), ran against the .so: owed ${out.owed}, received ${out.received}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// Build the publishable package: dist/index.js (one ESM file, @solana/kit left to the consumer's
// install) and dist/index.d.ts (one declaration file, so any moduleResolution — bundler, node16,
// nodenext — finds every type without the source's extensionless imports).
import { build } from 'esbuild';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
// dependencies and peers (@solana/kit) stay imports: the consumer's install provides them
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
rmSync(`${root}/dist`, { recursive: true, force: true });

await build({
  entryPoints: [`${root}/src/index.ts`],
  outfile: `${root}/dist/index.js`,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external,
  sourcemap: true,
  logLevel: 'warning',
});

const bundle = await rollup({
  input: `${root}/src/index.ts`,
  external: (id) => external.some((dep) => id === dep || id.startsWith(`${dep}/`)),
  plugins: [dts({ tsconfig: `${root}/tsconfig.json`, compilerOptions: { noEmit: false } })],
});
await bundle.write({ file: `${root}/dist/index.d.ts`, format: 'es' });
await bundle.close();
console.log(`built ${pkg.name}@${pkg.version}: dist/index.js, dist/index.d.ts`);

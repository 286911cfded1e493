// Generate the @solana/kit client from the checked-in IDL: `npm run generate` at the repo root.
// The IDL itself comes from the program (`cargo xtask idl`); nothing here is written by hand.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFromRoot } from 'codama';
import { rootNodeFromAnchor } from '@codama/nodes-from-anchor';
import { renderVisitor } from '@codama/renderers-js';

const here = dirname(fileURLToPath(import.meta.url));
const packageFolder = join(here, '..');
const idlPath = join(packageFolder, '../../idl/tributary.json');
const idl = JSON.parse(readFileSync(idlPath, 'utf8'));
const codama = createFromRoot(rootNodeFromAnchor(idl));
// keep package.json as we pin it (the renderer would otherwise add its own ranges)
await codama.accept(renderVisitor(packageFolder, { syncPackageJson: false }));
console.log(`generated ${join(packageFolder, 'src/generated')} from ${idlPath}`);

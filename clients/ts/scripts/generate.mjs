// Generate the @solana/kit client from the checked-in IDL: `npm run generate` at the repo root.
// The IDL itself comes from the program (`cargo xtask idl`); nothing here is written by hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  accountValueNode,
  addPdasVisitor,
  argumentValueNode,
  bytesTypeNode,
  constantPdaSeedNodeFromString,
  createFromRoot,
  fixedSizeTypeNode,
  instructionArgumentNode,
  numberTypeNode,
  pdaSeedValueNode,
  pdaValueNode,
  publicKeyTypeNode,
  setInstructionAccountDefaultValuesVisitor,
  bottomUpTransformerVisitor,
  instructionNode,
  variablePdaSeedNode,
} from 'codama';
import { rootNodeFromAnchor } from '@codama/nodes-from-anchor';
import { renderVisitor } from '@codama/renderers-js';

const here = dirname(fileURLToPath(import.meta.url));
const packageFolder = join(here, '..');
const idlPath = join(packageFolder, '../../idl/tributary.json');
const idl = JSON.parse(readFileSync(idlPath, 'utf8'));
// Codama renders no codec for events: hand it their structs as plain defined types (the IDL lists
// them among `types`), so every event gets a generated decoder
const codama = createFromRoot(rootNodeFromAnchor({ ...idl, events: [] }));

// Every PDA of the program (seeds as in programs/tributary/src/constants.rs), so that the async
// instruction builders derive the pool's vault, a page from its index and a contribution from its
// content hash themselves. The IDL states seeds only where Anchor checks them by `seeds =`; the rest
// the program checks by hand, so they are declared here once (`pda.ts` wraps these finders).
const seed = (name, type) => variablePdaSeedNode(name, type);
codama.update(
  addPdasVisitor({
    tributary: [
      { name: 'pool', seeds: [constantPdaSeedNodeFromString('utf8', 'pool'), seed('creator', publicKeyTypeNode()), seed('poolId', numberTypeNode('u64'))] },
      { name: 'ledgerPage', seeds: [constantPdaSeedNodeFromString('utf8', 'ledger'), seed('pool', publicKeyTypeNode()), seed('page', numberTypeNode('u32'))] },
      {
        name: 'contribution',
        seeds: [constantPdaSeedNodeFromString('utf8', 'contribution'), seed('pool', publicKeyTypeNode()), seed('contentHash', fixedSizeTypeNode(bytesTypeNode(), 32))],
      },
    ],
  }),
);
// the page index: an argument of the builders only (not of the instruction's data) naming the ledger
// page to derive. Required (the async builder derives from it; the sync one takes `ledgerPage` too):
// Codama's optional-argument default tests `!args.page`, which would treat page 0 as missing.
const ledgerPageInstructions = idl.instructions.filter((ix) => ix.accounts.some((a) => a.name === 'ledger_page')).map((ix) => ix.name.replace(/_(.)/g, (_, c) => c.toUpperCase()));
const pageArgument = instructionArgumentNode({
  name: 'page',
  type: numberTypeNode('u32'),
  docs: ['Which ledger page (its index): derives `ledgerPage` when that is not given.'],
});
codama.update(
  bottomUpTransformerVisitor(
    ledgerPageInstructions.map((name) => ({
      select: `[instructionNode]${name}`,
      transform: (node) => instructionNode({ ...node, extraArguments: [...(node.extraArguments ?? []), pageArgument] }),
    })),
  ),
);
codama.update(
  setInstructionAccountDefaultValuesVisitor([
    { account: 'vault', defaultValue: pdaValueNode('vault', [pdaSeedValueNode('pool', accountValueNode('pool'))]) },
    { account: 'ledgerPage', defaultValue: pdaValueNode('ledgerPage', [pdaSeedValueNode('pool', accountValueNode('pool')), pdaSeedValueNode('page', argumentValueNode('page'))]) },
    {
      account: 'contribution',
      instruction: 'registerContribution',
      defaultValue: pdaValueNode('contribution', [pdaSeedValueNode('pool', accountValueNode('pool')), pdaSeedValueNode('contentHash', argumentValueNode('contentHash'))]),
    },
    {
      account: 'pool',
      instruction: 'createPool',
      defaultValue: pdaValueNode('pool', [pdaSeedValueNode('creator', accountValueNode('creator')), pdaSeedValueNode('poolId', argumentValueNode('poolId'))]),
    },
  ]),
);
// keep package.json as we pin it (the renderer would otherwise add its own ranges)
await codama.accept(renderVisitor(packageFolder, { syncPackageJson: false }));
// @solana/kit 6.10+ (we use 8.4) types `extendClient` as `ExtendedClient<T, Additions>`, which the
// plugin factory's `Omit<T, …> & {…}` annotation from renderers-js 2.2.0 (the newest published) is
// not assignable to. Its fix (codama-idl/renderers-js#146, annotate with `ExtendedClient`) is not
// released yet: apply exactly that one change to the rendered file, and fail if its shape moved.
{
  const programFile = join(packageFolder, 'src/generated/programs/tributary.ts');
  const rendered = readFileSync(programFile, 'utf8');
  const annotation = '): Omit<T, "tributary"> & { tributary: TributaryPlugin } => {';
  const kitImport = '  extendClient,\n';
  if (!rendered.includes(annotation) || !rendered.includes(kitImport)) {
    throw new Error('renderers-js output changed: drop the ExtendedClient patch in generate.mjs if the release has #146');
  }
  writeFileSync(
    programFile,
    rendered.replace(annotation, '): ExtendedClient<T, { tributary: TributaryPlugin }> => {').replace(kitImport, `${kitImport}  type ExtendedClient,\n`),
  );
}
console.log(`generated ${join(packageFolder, 'src/generated')} from ${idlPath}`);

// what Codama leaves out, from the same IDL: each event's discriminator and decoder, and the error
// table with its messages (the generated error messages are stripped from production bundles)
const events = idl.events.map((e) => e.name);
const lines = [
  '// Generated by scripts/generate.mjs from idl/tributary.json (npm run generate): do not edit.',
  "import type { Decoder } from '@solana/kit';",
  'import {',
  ...events.flatMap((name) => [`  get${name}Decoder,`, `  type ${name},`]),
  "} from './generated';",
  '',
  '/** Each event of the program: its 8-byte discriminator (the start of its `Program data:` bytes). */',
  'export const TRIBUTARY_EVENT_DISCRIMINATORS = {',
  ...idl.events.map((e) => `  ${e.name}: [${e.discriminator.join(', ')}],`),
  '} as const;',
  '',
  '/** Every event by name, with its decoded fields. */',
  'export type TributaryEventMap = {',
  ...events.map((name) => `  ${name}: ${name};`),
  '};',
  '',
  'export const tributaryEventDecoders: { [K in keyof TributaryEventMap]: Decoder<TributaryEventMap[K]> } = {',
  ...events.map((name) => `  ${name}: get${name}Decoder(),`),
  '};',
  '',
  '/** The program\'s numeric constants (`#[constant]` in constants.rs), as the IDL states them. */',
  'export const TRIBUTARY_CONSTANTS = {',
  ...(idl.constants ?? [])
    .filter((c) => /^-?[0-9]+$/.test(c.value))
    .map((c) => `  ${c.name}: ${c.value},`),
  '} as const;',
  '',
  '/** The program\'s errors: code, name and message, as the IDL states them. */',
  'export const TRIBUTARY_ERRORS: readonly { code: number; name: string; message: string }[] = [',
  ...idl.errors.map((e) => `  { code: ${e.code}, name: ${JSON.stringify(e.name)}, message: ${JSON.stringify(e.msg ?? e.name)} },`),
  '];',
  '',
];
const tables = join(packageFolder, 'src/idl-tables.generated.ts');
writeFileSync(tables, lines.join('\n'));
console.log(`generated ${tables}`);

// The indexer's API types, from the OpenAPI document `tributary-index` serves (openapi-typescript).
const openapiTS = (await import('openapi-typescript')).default;
const { astToString } = await import('openapi-typescript');
const spec = JSON.parse(readFileSync(join(packageFolder, '../../crates/tributary-index/openapi.json'), 'utf8'));
const indexerTypes = join(packageFolder, 'src/indexer.generated.ts');
writeFileSync(
  indexerTypes,
  '// Generated by `npm run generate` from crates/tributary-index/openapi.json (openapi-typescript). Do not edit.\n' +
    astToString(await openapiTS(spec, { exportType: true })),
);
console.log(`generated ${indexerTypes}`);

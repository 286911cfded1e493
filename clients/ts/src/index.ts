// @tributary/client: the Codama-generated @solana/kit client (src/generated, from
// idl/tributary.json), plus PDA derivation, the crank's remaining accounts, owed-amount math and
// the pool's 128-bit totals read whole, the PoolView read model, the program's events and errors
// decoded, and verifiable attribution (receipts, reports, proofs, fees by score: attest.ts).
export * from './generated';
export * from './pda';
export * from './owed';
export * from './pool';
export * from './crank';
export * from './space';
export * from './view';
export * from './events';
export * from './attest';
export * from './token-metadata';
export * from './filters';
export { TRIBUTARY_CONSTANTS } from './idl-tables.generated';
export * from './indexer';

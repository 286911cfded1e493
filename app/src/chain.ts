// Reading the pool and a contributor's entries, building transactions with the generated client,
// having the wallet sign them, and turning every failure into a message a person can act on.
import {
  AccountRole,
  address,
  appendTransactionMessageInstructions,
  compileTransaction,
  createNoopSigner,
  createSolanaRpc,
  createTransactionMessage,
  getAddressEncoder,
  getBase58Decoder,
  getBase64EncodedWireTransaction,
  getProgramDerivedAddress,
  getTransactionDecoder,
  getTransactionEncoder,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
  type Address,
  type Instruction,
} from '@solana/kit';
import {
  ContributionKind,
  ContributionStatus,
  contributionSpace,
  decodeContribution,
  decodeTributaryEventsFromLogs,
  decodeLedgerPage,
  decodePool,
  entryOfPage,
  findContributionPda,
  findLedgerPagePda,
  getContributionDiscriminatorBytes,
  getClaimInstruction,
  getCloseContributionInstruction,
  getRetireContributionInstruction,
  getOpenLedgerPageInstruction,
  getRegisterContributionInstruction,
  getSetDestinationInstruction,
  ledgerPageSpace,
  owedNow,
  pageOf,
  tributaryErrorOf,
  type LedgerPage,
  type Pool,
} from '@tributary/client';
import { clusterMismatch, type Config } from './config';
import { signTransaction, type Wallet, type WalletAccount } from './wallet';

export const ASSOCIATED_TOKEN_PROGRAM = address('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');
const SYSTEM_PROGRAM = address('11111111111111111111111111111111');
const TOKEN_ACCOUNT_SIZE = 165n;
const FEE_LAMPORTS = 5_000n;

export type Rpc = ReturnType<typeof createSolanaRpc>;

/** A failure explained for the person in front of the screen. */
export class UserFacingError extends Error {}

export async function associatedTokenAddress(owner: Address, mint: Address, tokenProgram: Address): Promise<Address> {
  const enc = getAddressEncoder();
  const [ata] = await getProgramDerivedAddress({
    programAddress: ASSOCIATED_TOKEN_PROGRAM,
    seeds: [enc.encode(owner), enc.encode(tokenProgram), enc.encode(mint)],
  });
  return ata;
}

/** The associated token program's CreateIdempotent: a no-op when the account exists. */
export async function createAssociatedTokenAccountIdempotent(payer: Address, owner: Address, mint: Address, tokenProgram: Address): Promise<Instruction> {
  return {
    programAddress: ASSOCIATED_TOKEN_PROGRAM,
    accounts: [
      { address: payer, role: AccountRole.WRITABLE_SIGNER },
      { address: await associatedTokenAddress(owner, mint, tokenProgram), role: AccountRole.WRITABLE },
      { address: owner, role: AccountRole.READONLY },
      { address: mint, role: AccountRole.READONLY },
      { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
      { address: tokenProgram, role: AccountRole.READONLY },
    ],
    data: new Uint8Array([1]),
  };
}

type Raw = { data: Uint8Array; owner: Address; lamports: bigint } | null;

export async function fetchRaw(rpc: Rpc, key: Address): Promise<Raw> {
  const { value } = await rpc.getAccountInfo(key, { encoding: 'base64', commitment: 'confirmed' }).send();
  if (!value) return null;
  return { data: Uint8Array.from(atob(value.data[0]), (c) => c.charCodeAt(0)), owner: value.owner, lamports: value.lamports };
}

function encoded(key: Address, raw: NonNullable<Raw>) {
  return { address: key, data: raw.data, executable: false, lamports: raw.lamports as never, programAddress: raw.owner, space: BigInt(raw.data.length) } as never;
}

export type TokenAccountInfo = { mint: Address; owner: Address; amount: bigint };

export function parseTokenAccount(raw: Raw): TokenAccountInfo | null {
  if (!raw || raw.data.length < 165) return null;
  const dec = getBase58Decoder();
  const view = new DataView(raw.data.buffer, raw.data.byteOffset);
  return {
    mint: address(dec.decode(raw.data.slice(0, 32))),
    owner: address(dec.decode(raw.data.slice(32, 64))),
    amount: view.getBigUint64(64, true),
  };
}

/**
 * `freezeAuthority`: who can freeze the mint's accounts, the pool's vault included (then every
 * claim and payout stops until it is thawed); null when the mint has none.
 */
export type PoolState = { address: Address; pool: Pool; contributors: number; freezeAuthority: Address | null };

/** A mint's freeze authority (the base layout both token programs share: COption at byte 46). */
export function parseFreezeAuthority(raw: Raw): Address | null {
  if (!raw || raw.data.length < 82 || raw.data[46] !== 1) return null;
  return address(getBase58Decoder().decode(raw.data.slice(50, 82)));
}

export async function loadPool(rpc: Rpc, key: Address): Promise<PoolState> {
  const raw = await fetchRaw(rpc, key);
  if (!raw) throw new UserFacingError(`No pool at ${key} on this cluster: check the cluster and the pool address.`);
  const pool = decodePool(encoded(key, raw)).data as Pool;
  const freezeAuthority = parseFreezeAuthority(await fetchRaw(rpc, pool.mint));
  return { address: key, pool, contributors: pool.activeContributions, freezeAuthority };
}

export type MyContribution = {
  address: Address;
  entry: number;
  uri: string;
  kind: string;
  contentHash: string;
  destination: Address;
  weight: bigint;
  owed: bigint;
  paid: bigint;
  lastPayout: number | null;
  /** Unix time of the registration, as the program recorded it. */
  registeredAt: number;
  status: 'active' | 'retired';
  /** Lamports the contribution account holds: its rent, returned to the wallet when it closes. */
  rent: bigint;
};

const hex = (b: ArrayLike<number>) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** The wallet's contributions to the pool with weight, owed (the program's math), paid, last payout. */
export async function loadMyContributions(rpc: Rpc, cfg: Config, pool: PoolState, owner: Address): Promise<MyContribution[]> {
  const enc = getAddressEncoder();
  const b58 = getBase58Decoder();
  const list = await rpc
    .getProgramAccounts(cfg.programId, {
      encoding: 'base64',
      commitment: 'confirmed',
      filters: [
        // the discriminator too: a ledger page has the pool and its payer at the same offsets
        { memcmp: { offset: 0n, bytes: b58.decode(getContributionDiscriminatorBytes()) as never, encoding: 'base58' } },
        { memcmp: { offset: 8n, bytes: b58.decode(enc.encode(pool.address)) as never, encoding: 'base58' } },
        { memcmp: { offset: 40n, bytes: b58.decode(enc.encode(owner)) as never, encoding: 'base58' } },
      ],
    })
    .send();
  const out: MyContribution[] = [];
  const pages = new Map<number, LedgerPage>();
  for (const item of list) {
    const data = Uint8Array.from(atob(item.account.data[0]), (c) => c.charCodeAt(0));
    const c = decodeContribution(encoded(item.pubkey, { data, owner: item.account.owner, lamports: item.account.lamports })).data;
    const pageIndex = pageOf(c.entry);
    if (!pages.has(pageIndex)) {
      const [pageKey] = await findLedgerPagePda(pool.address, pageIndex);
      const raw = await fetchRaw(rpc, pageKey);
      if (raw) pages.set(pageIndex, (decodeLedgerPage(encoded(pageKey, raw)) as { data: LedgerPage }).data);
    }
    const page = pages.get(pageIndex);
    const entry = page ? entryOfPage(page, c.entry) : undefined;
    if (!entry) continue;
    out.push({
      address: item.pubkey,
      entry: c.entry,
      uri: c.uri,
      kind: ContributionKind[c.kind],
      contentHash: hex(c.contentHash),
      destination: entry.destination,
      weight: entry.weight,
      owed: owedNow(entry, pool.pool),
      paid: entry.paid,
      registeredAt: Number(c.createdAt),
      status: c.status === ContributionStatus.Retired ? 'retired' : 'active',
      rent: BigInt(item.account.lamports),
      lastPayout: entry.paid > 0n ? await lastPayoutTime(rpc, cfg, entry.destination, entry.paid) : null,
    });
  }
  return out.sort((a, b) => a.entry - b.entry);
}

/**
 * When the program last paid into `destination`: the newest of its recent transactions that invoked
 * the program and raised its token balance (a crank or a claim). Not every transaction touching the
 * account is a payout: creating it, or tokens from elsewhere, are not.
 */
async function lastPayoutTime(rpc: Rpc, cfg: Config, destination: Address, paid: bigint): Promise<number | null> {
  // the answer changes only when the entry's paid total does: refreshes cost no transaction fetches
  const key = `${cfg.programId}:${destination}:${paid}`;
  if (!lastPayoutCache.has(key)) lastPayoutCache.set(key, await findLastPayoutTime(rpc, cfg, destination));
  return lastPayoutCache.get(key) ?? null;
}
const lastPayoutCache = new Map<string, number | null>();

async function findLastPayoutTime(rpc: Rpc, cfg: Config, destination: Address): Promise<number | null> {
  const recent = await rpc.getSignaturesForAddress(destination, { limit: 20, commitment: 'confirmed' }).send();
  for (const s of recent) {
    if (s.err) continue;
    const tx = (await rpc
      .getTransaction(s.signature, { encoding: 'jsonParsed', maxSupportedTransactionVersion: 0, commitment: 'confirmed' })
      .send()) as ParsedTransaction | null;
    if (!tx?.meta) continue;
    // jsonParsed lists the lookup-table addresses too, in the order token balances index them
    const keys = tx.transaction.message.accountKeys.map((k) => k.pubkey);
    if (!keys.includes(cfg.programId)) continue;
    const index = keys.indexOf(destination);
    const balance = (list: TokenBalance[] | null) => BigInt(list?.find((b) => b.accountIndex === index)?.uiTokenAmount.amount ?? '0');
    if (index >= 0 && balance(tx.meta.postTokenBalances) > balance(tx.meta.preTokenBalances)) {
      return Number(s.blockTime ?? tx.blockTime ?? 0) || null;
    }
  }
  return null;
}
type TokenBalance = { accountIndex: number; uiTokenAmount: { amount: string } };
type ParsedTransaction = {
  blockTime: bigint | null;
  meta: { preTokenBalances: TokenBalance[] | null; postTokenBalances: TokenBalance[] | null } | null;
  transaction: { message: { accountKeys: { pubkey: Address }[] } };
};

export type CrankBatchEvent = { signature: string; time: number | null; page: number; paid: number; skipped: number; amount: bigint; reward: bigint; cranker: Address };

/** Recent crank batches of the pool, from the program's events in transaction logs (decoded by the
 * client's IDL-generated decoders). */
export async function loadCrankBatches(rpc: Rpc, pool: Address, limit = 15): Promise<CrankBatchEvent[]> {
  const sigs = await rpc.getSignaturesForAddress(pool, { limit, commitment: 'confirmed' }).send();
  const out: CrankBatchEvent[] = [];
  for (const s of sigs) {
    if (s.err) continue;
    const tx = await rpc.getTransaction(s.signature, { maxSupportedTransactionVersion: 0, commitment: 'confirmed', encoding: 'json' }).send();
    for (const event of decodeTributaryEventsFromLogs(tx?.meta?.logMessages ?? [])) {
      if (event.name !== 'CrankBatch' || event.data.pool !== pool) continue;
      const { page, paid, skipped, amount, reward, cranker } = event.data;
      out.push({ signature: s.signature, time: s.blockTime ? Number(s.blockTime) : null, page, paid, skipped, amount, reward, cranker });
    }
  }
  return out;
}

/** Why a send failed, in words: rejected signature, program errors by name, SOL, blockhash. */
export function explain(error: unknown): string {
  const e = error as { message?: string; code?: number; name?: string; context?: { logs?: string[] }; cause?: unknown };
  const text = `${e?.message ?? error}`;
  if (e?.code === 4001 || /reject|denied|declined|cancel/i.test(text)) return 'You rejected the signature request in your wallet. Nothing was sent.';
  const custom = /custom program error: 0x([0-9a-f]+)/i.exec(text + JSON.stringify(e?.context ?? {}));
  if (custom) {
    const code = parseInt(custom[1], 16);
    const known = tributaryErrorOf(code);
    if (known) return `The program refused: ${known.message} (${known.name}).`;
  }
  if (/insufficient (funds|lamports)|InsufficientFunds|insufficient funds for rent/i.test(text)) return 'Not enough SOL in your wallet to pay the fee and rent.';
  if (/Blockhash not found|block height exceeded/i.test(text)) return 'The transaction expired before it landed. Please try again.';
  if (error instanceof UserFacingError) return text;
  return `Something went wrong: ${text}`;
}

const genesisOf = new Map<string, Promise<string>>();

/** The endpoint's cluster against the one selected, by genesis hash (asked once per endpoint). */
export async function checkCluster(rpc: Rpc, cfg: Config): Promise<string | null> {
  let genesis = genesisOf.get(cfg.rpcUrl);
  if (!genesis) {
    genesis = rpc.getGenesisHash().send().then(String);
    genesisOf.set(cfg.rpcUrl, genesis);
    genesis.catch(() => genesisOf.delete(cfg.rpcUrl));
  }
  return clusterMismatch(cfg, await genesis);
}

export type SendContext = { rpc: Rpc; cfg: Config; wallet: Wallet; account: WalletAccount };

/** Build, check the SOL needed, have the wallet sign, send, and wait for confirmation. */
export async function sendWithWallet(ctx: SendContext, ixs: Instruction[], rentNeeded: bigint, label: string): Promise<string> {
  const payer = address(ctx.account.address);
  const mismatch = await checkCluster(ctx.rpc, ctx.cfg);
  if (mismatch) throw new UserFacingError(`${mismatch} Nothing was sent.`);
  const { value: balance } = await ctx.rpc.getBalance(payer, { commitment: 'confirmed' }).send();
  const need = rentNeeded + FEE_LAMPORTS;
  if (balance < need) {
    const sol = (v: bigint) => (Number(v) / 1e9).toFixed(6);
    throw new UserFacingError(`Not enough SOL to ${label}: it needs about ${sol(need)} SOL (rent and fee); your wallet has ${sol(balance)} SOL.`);
  }
  const { value: latest } = await ctx.rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
    (m) => appendTransactionMessageInstructions(ixs, m),
  );
  const unsigned = new Uint8Array(getTransactionEncoder().encode(compileTransaction(message)));
  const signedBytes = await signTransaction(ctx.wallet, ctx.account, ctx.cfg.chain, unsigned);
  const signed = getTransactionDecoder().decode(signedBytes);
  const wire = getBase64EncodedWireTransaction(signed);
  const signature = await ctx.rpc.sendTransaction(wire, { encoding: 'base64', preflightCommitment: 'confirmed' }).send();
  for (let i = 0; i < 120; i++) {
    const { value } = await ctx.rpc.getSignatureStatuses([signature]).send();
    const status = value[0];
    if (status?.err) throw new Error(`transaction failed: ${JSON.stringify(status.err, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    if (status && (status.confirmationStatus === 'confirmed' || status.confirmationStatus === 'finalized')) return signature;
    const { value: height } = { value: await ctx.rpc.getBlockHeight({ commitment: 'confirmed' }).send() };
    if (height > latest.lastValidBlockHeight) throw new Error('block height exceeded');
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('block height exceeded');
}

export async function sha256(file: File): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
}

/** Register a contribution: the payout account is the wallet's associated token account (created if missing). */
export async function register(ctx: SendContext, pool: PoolState, contentHash: Uint8Array, uri: string, kind: ContributionKind): Promise<string> {
  const owner = address(ctx.account.address);
  const signer = createNoopSigner(owner);
  const p = pool.pool;
  const [contribution] = await findContributionPda(pool.address, contentHash);
  if (await fetchRaw(ctx.rpc, contribution)) throw new UserFacingError('This file is already registered in the pool.');
  const ixs: Instruction[] = [];
  const { destination, rent: accountRent } = await ownTokenAccount(ctx, owner, p, ixs);
  let rent = accountRent;
  const entry = p.entryCount;
  if (pageOf(entry) >= p.ledgerPages) {
    const [page] = await findLedgerPagePda(pool.address, p.ledgerPages);
    ixs.push(getOpenLedgerPageInstruction({ payer: signer, pool: pool.address, ledgerPage: page }));
    rent += await ctx.rpc.getMinimumBalanceForRentExemption(BigInt(ledgerPageSpace())).send();
  }
  const [ledgerPage] = await findLedgerPagePda(pool.address, pageOf(entry));
  ixs.push(
    getRegisterContributionInstruction({ contributor: signer, pool: pool.address, ledgerPage, contribution, destination, tokenProgram: p.tokenProgram, contentHash, kind, uri }),
  );
  rent += await ctx.rpc.getMinimumBalanceForRentExemption(BigInt(contributionSpace(uri))).send();
  return sendWithWallet(ctx, ixs, rent, 'register');
}

/** The owner's associated token account of the pool's mint; its creation is added to `ixs` when missing. */
async function ownTokenAccount(ctx: SendContext, owner: Address, p: Pool, ixs: Instruction[]): Promise<{ destination: Address; rent: bigint }> {
  const destination = await associatedTokenAddress(owner, p.mint, p.tokenProgram);
  if (await fetchRaw(ctx.rpc, destination)) return { destination, rent: 0n };
  ixs.push(await createAssociatedTokenAccountIdempotent(owner, owner, p.mint, p.tokenProgram));
  return { destination, rent: await ctx.rpc.getMinimumBalanceForRentExemption(TOKEN_ACCOUNT_SIZE).send() };
}

export async function claim(ctx: SendContext, pool: PoolState, c: MyContribution): Promise<string> {
  const owner = address(ctx.account.address);
  const p = pool.pool;
  const ixs: Instruction[] = [];
  const { destination, rent } = await ownTokenAccount(ctx, owner, p, ixs);
  const [ledgerPage] = await findLedgerPagePda(pool.address, pageOf(c.entry));
  ixs.push(
    getClaimInstruction({ contributor: createNoopSigner(owner), contribution: c.address, pool: pool.address, ledgerPage, mint: p.mint, vault: p.vault, destination, tokenProgram: p.tokenProgram }),
  );
  return sendWithWallet(ctx, ixs, rent, 'claim');
}

/** Retire: no new revenue accrues to it; what it is owed stays claimable (and is still cranked). */
export async function retire(ctx: SendContext, pool: PoolState, c: MyContribution): Promise<string> {
  const [ledgerPage] = await findLedgerPagePda(pool.address, pageOf(c.entry));
  const contributor = createNoopSigner(address(ctx.account.address));
  return sendWithWallet(ctx, [getRetireContributionInstruction({ contributor, contribution: c.address, pool: pool.address, ledgerPage })], 0n, 'retire');
}

/** Close a retired contribution with nothing owed: its account's rent comes back to the wallet. */
export async function closeContribution(ctx: SendContext, pool: PoolState, c: MyContribution): Promise<string> {
  if (c.owed > 0n) throw new UserFacingError('Claim what this contribution is owed first; then it can close.');
  const [ledgerPage] = await findLedgerPagePda(pool.address, pageOf(c.entry));
  const contributor = createNoopSigner(address(ctx.account.address));
  return sendWithWallet(ctx, [getCloseContributionInstruction({ contributor, contribution: c.address, pool: pool.address, ledgerPage })], 0n, 'close');
}

/** Point payouts at another token account; it must exist, hold the pool's mint and be the wallet's. */
export async function changeDestination(ctx: SendContext, pool: PoolState, c: MyContribution, newDestination: string): Promise<string> {
  const owner = address(ctx.account.address);
  let destination: Address;
  try {
    destination = address(newDestination.trim());
  } catch {
    throw new UserFacingError('That is not a valid account address.');
  }
  const raw = await fetchRaw(ctx.rpc, destination);
  if (!raw) throw new UserFacingError('That token account does not exist. Create it in your wallet first (receive this token once), then try again.');
  const token = raw.owner === pool.pool.tokenProgram ? parseTokenAccount(raw) : null;
  if (!token) throw new UserFacingError('That account is not a token account of this pool\'s token program.');
  if (token.mint !== pool.pool.mint) throw new UserFacingError(`That token account holds another token (${token.mint}); this pool pays in ${pool.pool.mint}.`);
  if (token.owner !== owner) throw new UserFacingError('That token account belongs to someone else; payouts must go to an account you own.');
  const [ledgerPage] = await findLedgerPagePda(pool.address, pageOf(c.entry));
  return sendWithWallet(
    ctx,
    [getSetDestinationInstruction({ contributor: createNoopSigner(owner), contribution: c.address, pool: pool.address, ledgerPage, destination, tokenProgram: pool.pool.tokenProgram })],
    0n,
    'change the payout account',
  );
}

export async function tokenBalance(rpc: Rpc, account: Address): Promise<bigint> {
  return parseTokenAccount(await fetchRaw(rpc, account))?.amount ?? 0n;
}

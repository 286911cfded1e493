// Reading the pool and a contributor's entries, building transactions with the generated client,
// having the wallet sign them, and turning every failure into a message a person can act on.
import {
  address,
  appendTransactionMessageInstructions,
  compileTransaction,
  createNoopSigner,
  createSolanaRpc,
  createTransactionMessage,
  fetchEncodedAccount,
  getAddressEncoder,
  getBase58Decoder,
  getBase64EncodedWireTransaction,
  getTransactionDecoder,
  getTransactionEncoder,
  isSolanaError,
  parseBase64RpcAccount,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
  type Address,
  type Base58EncodedBytes,
  type Instruction,
  type MaybeEncodedAccount,
} from '@solana/kit';
import { decodeMint, decodeToken, findAssociatedTokenPda, getCreateAssociatedTokenIdempotentInstructionAsync } from '@solana-program/token';
import {
  estimateComputeUnitLimitFactory,
  setTransactionMessageComputeUnitPrice,
  updateOrAppendSetComputeUnitLimitInstruction,
} from '@solana-program/compute-budget';
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
  getPoolDiscriminatorBytes,
  getPoolSize,
  isPaused,
  poolAmounts,
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

const TOKEN_ACCOUNT_SIZE = 165n;
const FEE_LAMPORTS = 5_000n;

export type Rpc = ReturnType<typeof createSolanaRpc>;

/** A failure explained for the person in front of the screen. */
export class UserFacingError extends Error {}

/** The wallet's associated token account of a mint (the token program's own derivation). */
export async function associatedTokenAddress(owner: Address, mint: Address, tokenProgram: Address): Promise<Address> {
  const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram });
  return ata;
}

/** An account as the node has it (confirmed), or one that does not exist. */
export function fetchAccount(rpc: Rpc, key: Address): Promise<MaybeEncodedAccount> {
  return fetchEncodedAccount(rpc, key, { commitment: 'confirmed' });
}

export type TokenAccountInfo = { mint: Address; owner: Address; amount: bigint };

/** A token account of `tokenProgram` (SPL Token and Token-2022 share the base layout the token
 * program's client decodes; Token-2022's extensions follow it), or null when it is not one. */
export function tokenAccountOf(account: MaybeEncodedAccount, tokenProgram: Address): TokenAccountInfo | null {
  if (!account.exists || account.programAddress !== tokenProgram || account.data.length < Number(TOKEN_ACCOUNT_SIZE)) return null;
  // longer: Token-2022 with extensions, whose account-type byte must say "account" (a mint says 1)
  if (account.data.length > Number(TOKEN_ACCOUNT_SIZE) && account.data[Number(TOKEN_ACCOUNT_SIZE)] !== 2) return null;
  const { mint, owner, amount } = decodeToken(account).data;
  return { mint, owner, amount };
}

/**
 * `freezeAuthority`: who can freeze the mint's accounts, the pool's vault included (then every
 * claim and payout stops until it is thawed); null when the mint has none.
 */
export type PoolState = { address: Address; pool: Pool; contributors: number; freezeAuthority: Address | null };

export async function loadPool(rpc: Rpc, key: Address): Promise<PoolState> {
  const account = await fetchAccount(rpc, key);
  if (!account.exists) throw new UserFacingError(`No pool at ${key} on this cluster: check the cluster and the pool address.`);
  const pool = decodePool(account).data;
  const mint = await fetchAccount(rpc, pool.mint);
  const freeze = mint.exists ? decodeMint(mint).data.freezeAuthority : null;
  const freezeAuthority = freeze?.__option === 'Some' ? freeze.value : null;
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

export type PoolSummary = { address: Address; mint: Address; contributors: number; deposited: bigint; decimals: number; paused: boolean; epoch: bigint };

/** Every pool of the program (one `getProgramAccounts`, by size and discriminator), most contributors first. */
export async function listPools(rpc: Rpc, cfg: Config): Promise<PoolSummary[]> {
  const b58 = getBase58Decoder();
  const found = await rpc
    .getProgramAccounts(cfg.programId, {
      encoding: 'base64',
      commitment: 'confirmed',
      filters: [
        { dataSize: BigInt(getPoolSize()) },
        { memcmp: { offset: 0n, bytes: b58.decode(getPoolDiscriminatorBytes()) as Base58EncodedBytes, encoding: 'base58' } },
      ],
    })
    .send();
  return found
    .map((item) => {
      const p = decodePool(parseBase64RpcAccount(item.pubkey, item.account)).data;
      return {
        address: item.pubkey,
        mint: p.mint,
        contributors: p.activeContributions,
        deposited: poolAmounts(p).totalDeposited,
        decimals: p.decimals,
        paused: isPaused(p),
        epoch: p.epoch,
      };
    })
    .sort((a, b) => b.contributors - a.contributors || a.address.localeCompare(b.address));
}

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
        { memcmp: { offset: 0n, bytes: b58.decode(getContributionDiscriminatorBytes()) as Base58EncodedBytes, encoding: 'base58' } },
        { memcmp: { offset: 8n, bytes: b58.decode(enc.encode(pool.address)) as Base58EncodedBytes, encoding: 'base58' } },
        { memcmp: { offset: 40n, bytes: b58.decode(enc.encode(owner)) as Base58EncodedBytes, encoding: 'base58' } },
      ],
    })
    .send();
  const out: MyContribution[] = [];
  const pages = new Map<number, LedgerPage>();
  for (const item of list) {
    const c = decodeContribution(parseBase64RpcAccount(item.pubkey, item.account)).data;
    const pageIndex = pageOf(c.entry);
    if (!pages.has(pageIndex)) {
      const [pageKey] = await findLedgerPagePda(pool.address, pageIndex);
      const page = await fetchAccount(rpc, pageKey);
      if (page.exists) pages.set(pageIndex, decodeLedgerPage(page).data);
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

/** The program's custom error code anywhere in a failure's cause chain (a simulation's or a send's). */
function customErrorCode(error: unknown): number | null {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (isSolanaError(e, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM)) return e.context.code;
  }
  return null;
}

/** Why a send failed, in words: rejected signature, program errors by name, SOL, blockhash. */
export function explain(error: unknown): string {
  const e = error as { message?: string; code?: number; name?: string; context?: { logs?: string[] }; cause?: unknown };
  const text = `${e?.message ?? error}`;
  if (e?.code === 4001 || /reject|denied|declined|cancel/i.test(text)) return 'You rejected the signature request in your wallet. Nothing was sent.';
  const code = customErrorCode(error);
  const named = code === null ? undefined : tributaryErrorOf(code);
  if (named) return `The program refused: ${named.message} (${named.name}). Nothing was sent.`;
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

/** The compute-unit price to offer: the median of the non-zero fees recently paid to lock these
 * accounts (0 when there were none), so a transaction lands when the cluster is busy. */
async function priorityFee(rpc: Rpc, ixs: Instruction[]): Promise<bigint> {
  const writable = [...new Set(ixs.flatMap((ix) => (ix.accounts ?? []).filter((a) => a.role & 1).map((a) => a.address)))].slice(0, 128);
  const recent = await rpc.getRecentPrioritizationFees(writable).send();
  const fees = recent.map((f) => BigInt(f.prioritizationFee)).filter((f) => f > 0n).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return fees.length ? fees[Math.floor(fees.length / 2)] : 0n;
}

/**
 * Build, check the SOL needed, simulate for the compute units (a program error is named before
 * anything is signed), set the limit from the simulation (+10 %) and a priority fee, have the
 * wallet sign, send, and wait for confirmation.
 */
export async function sendWithWallet(ctx: SendContext, ixs: Instruction[], rentNeeded: bigint, label: string): Promise<string> {
  const payer = address(ctx.account.address);
  const mismatch = await checkCluster(ctx.rpc, ctx.cfg);
  if (mismatch) throw new UserFacingError(`${mismatch} Nothing was sent.`);
  const { value: balance } = await ctx.rpc.getBalance(payer, { commitment: 'confirmed' }).send();
  const sol = (v: bigint) => (Number(v) / 1e9).toFixed(6);
  const short = (need: bigint) =>
    new UserFacingError(`Not enough SOL to ${label}: it needs about ${sol(need)} SOL (rent and fee); your wallet has ${sol(balance)} SOL.`);
  if (balance < rentNeeded + FEE_LAMPORTS) throw short(rentNeeded + FEE_LAMPORTS);
  const { value: latest } = await ctx.rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
  const draft = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
    (m) => appendTransactionMessageInstructions(ixs, m),
  );
  const units = await estimateComputeUnitLimitFactory({ rpc: ctx.rpc })(draft);
  const limit = Math.min(1_400_000, Math.ceil(units * 1.1));
  const price = await priorityFee(ctx.rpc, ixs);
  const message = pipe(
    draft,
    (m) => updateOrAppendSetComputeUnitLimitInstruction(limit, m),
    (m) => setTransactionMessageComputeUnitPrice(price, m),
  );
  const need = rentNeeded + FEE_LAMPORTS + (BigInt(limit) * price + 999_999n) / 1_000_000n;
  if (balance < need) throw short(need);
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
  if ((await fetchAccount(ctx.rpc, contribution)).exists) throw new UserFacingError('This file is already registered in the pool.');
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
  if ((await fetchAccount(ctx.rpc, destination)).exists) return { destination, rent: 0n };
  ixs.push(await getCreateAssociatedTokenIdempotentInstructionAsync({ payer: createNoopSigner(owner), owner, mint: p.mint, tokenProgram: p.tokenProgram }));
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
  const account = await fetchAccount(ctx.rpc, destination);
  if (!account.exists) throw new UserFacingError('That token account does not exist. Create it in your wallet first (receive this token once), then try again.');
  const token = tokenAccountOf(account, pool.pool.tokenProgram);
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

export async function tokenBalance(rpc: Rpc, account: Address, tokenProgram: Address): Promise<bigint> {
  return tokenAccountOf(await fetchAccount(rpc, account), tokenProgram)?.amount ?? 0n;
}

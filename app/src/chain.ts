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
  getBase58Decoder,
  getBase64EncodedWireTransaction,
  getTransactionDecoder,
  getTransactionEncoder,
  isSolanaError,
  parseBase64RpcAccount,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  SOLANA_ERROR__BLOCK_HEIGHT_EXCEEDED,
  SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_CLOSED_BEFORE_MESSAGE_BUFFERED,
  SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_CONNECTION_CLOSED,
  SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_FAILED_TO_CONNECT,
  SolanaError,
  getBase58Encoder,
  getSolanaErrorFromTransactionError,
  signatureBytes,
  type Transaction,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
  type Address,
  type Instruction,
  type MaybeEncodedAccount,
  type Signature,
} from '@solana/kit';
import { decodeMint, decodeToken, findAssociatedTokenPda, getCreateAssociatedTokenIdempotentInstructionAsync } from '@solana-program/token';
import {
  estimateComputeUnitLimitFactory,
  setTransactionMessageComputeUnitPrice,
  updateOrAppendSetComputeUnitLimitInstruction,
} from '@solana-program/compute-budget';
import {
  ContributionKind,
  createIndexerClient,
  ContributionStatus,
  contributionSpace,
  decodeContribution,
  decodeTributaryEventsFromLogs,
  decodeLedgerPage,
  decodePool,
  entryOfPage,
  findContributionPda,
  findLedgerPagePda,
  isPaused,
  poolAmounts,
  getClaimInstructionAsync,
  getCloseContributionInstructionAsync,
  getRetireContributionInstructionAsync,
  getOpenLedgerPageInstructionAsync,
  getRegisterContributionInstructionAsync,
  getSetDestinationInstructionAsync,
  PoolView,
  contributionFilters,
  poolFilters,
  findMetaplexMetadataPda,
  metaplexMetadataOf,
  METAPLEX_TOKEN_METADATA_PROGRAM,
  token2022MetadataOf,
  toHex,
  ledgerPageSpace,
  pageOpeningCost,
  slotShare,
  owedNow,
  pageOf,
  tributaryErrorOf,
  type Contribution,
  type LedgerEntry,
  type LedgerPage,
  type Pool,
} from '@tributary/client';
import type { QueryClient } from '@tanstack/react-query';
import {
  createBlockHeightExceedencePromiseFactory,
  createRecentSignatureConfirmationPromiseFactory,
  waitForRecentTransactionConfirmation,
} from '@solana/transaction-confirmation';
import { clusterMismatch, type Config } from './config';
import { aboveCap, LAMPORTS_PER_SIGNATURE, quoteFee, type FeeQuote } from './fees';
import { formatSol } from './format';
import { queryKeys } from './query-keys';
import type { Subscriptions } from './live';
import type { Sender } from './wallet';

const TOKEN_ACCOUNT_SIZE = 165n;

export type Rpc = ReturnType<typeof createSolanaRpc<string>>;

/**
 * An endpoint's reads: its RPC, and the page's query cache, where answers that never change (rent
 * per size, the genesis hash, landed transactions, payout histories per paid total) are kept.
 */
export type Reads = { rpc: Rpc; rpcUrl: string; queries: QueryClient };

/** `load()` once per key (concurrent callers share one request), kept for as long as the page
 * lives or, with `forgetAfterMs`, that long after it was read; a failure, or an answer `isFinal`
 * rejects, is asked again next time. */
function kept<V>(
  reads: Reads,
  key: (string | number)[],
  load: () => Promise<V>,
  { isFinal = () => true, forgetAfterMs = Infinity }: { isFinal?: (value: V) => boolean; forgetAfterMs?: number } = {},
): Promise<V> {
  return reads.queries.fetchQuery({
    queryKey: queryKeys.fixed(reads.rpcUrl, ...key),
    queryFn: load,
    staleTime: (query) => (query.state.data !== undefined && isFinal(query.state.data as V) ? Infinity : 0),
    gcTime: forgetAfterMs,
    retry: false,
  });
}

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
  const pool = await loadPoolAccount(rpc, key);
  const mint = await fetchAccount(rpc, pool.mint);
  const freeze = mint.exists ? decodeMint(mint).data.freezeAuthority : null;
  const freezeAuthority = freeze?.__option === 'Some' ? freeze.value : null;
  return { address: key, pool, contributors: pool.activeContributions, freezeAuthority };
}

async function loadPoolAccount(rpc: Rpc, key: Address): Promise<Pool> {
  const account = await fetchAccount(rpc, key);
  if (!account.exists) throw new UserFacingError(`No pool at ${key} on this cluster: check the cluster and the pool address.`);
  return decodePool(account).data;
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
  /** Lamports the contribution account holds (its rent). */
  rent: bigint;
  /** What closing it returns to the wallet: its rent less its slot's share of a ledger page, which
   * stays in the pool's page fund (the slot is never used again). */
  closeRefund: bigint;
  /** What the program paid into its payout account, oldest first (its recent payouts). */
  history: Payout[];
  /** How many of the wallet's contributions here pay into that same account (the main account is
   * the default): above 1, `history` is their payouts together, which the account's balance
   * changes cannot tell apart. */
  sharingPayoutAccount: number;
};

export type PoolSummary = { address: Address; mint: Address; contributors: number; deposited: bigint; decimals: number; paused: boolean; epoch: bigint };

/** Every pool of the program (one `getProgramAccounts`, by size and discriminator), most contributors first. */
export async function listPools(rpc: Rpc, programId: Address): Promise<PoolSummary[]> {
  const found = await rpc
    .getProgramAccounts(programId, {
      encoding: 'base64',
      commitment: 'confirmed',
      filters: poolFilters(),
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

/** The wallet's contributions to the pool with weight, owed (the program's math), paid, last payout.
 * The pool is read here beside them, not taken from the pool panel's copy, which may be older. */
export async function loadMyContributions(reads: Reads, cfg: Config, poolAddress: Address, owner: Address): Promise<MyContribution[]> {
  const { rpc } = reads;
  const [list, pool] = await Promise.all([
    rpc
      .getProgramAccounts(cfg.programId, {
        encoding: 'base64',
        commitment: 'confirmed',
        filters: contributionFilters({ pool: poolAddress, contributor: owner }),
      })
      .send(),
    loadPoolAccount(rpc, poolAddress).then((p) => ({ address: poolAddress, pool: p })),
  ]);
  const share = slotShare(await rentFor(reads, BigInt(ledgerPageSpace())));
  const pages = new Map<number, LedgerPage>();
  const found: { address: Address; lamports: bigint; c: Contribution; entry: LedgerEntry }[] = [];
  for (const item of list) {
    const c = decodeContribution(parseBase64RpcAccount(item.pubkey, item.account)).data;
    const pageIndex = pageOf(c.entry);
    if (!pages.has(pageIndex)) {
      const [pageKey] = await findLedgerPagePda({ pool: pool.address, page: pageIndex });
      const page = await fetchAccount(rpc, pageKey);
      if (page.exists) pages.set(pageIndex, decodeLedgerPage(page).data);
    }
    const page = pages.get(pageIndex);
    const entry = page ? entryOfPage(page, c.entry) : undefined;
    if (entry) found.push({ address: item.pubkey, lamports: BigInt(item.account.lamports), c, entry });
  }
  // one history per payout account (the main account is everyone's default), read again only when
  // what the program paid into it changes
  const byAccount = new Map<Address, { paid: bigint; sharing: number }>();
  for (const { entry } of found) {
    const sum = byAccount.get(entry.destination) ?? { paid: 0n, sharing: 0 };
    byAccount.set(entry.destination, { paid: sum.paid + entry.paid, sharing: sum.sharing + 1 });
  }
  const histories = new Map(
    await Promise.all(
      [...byAccount].map(async ([destination, { paid }]) => [destination, paid > 0n ? await payoutHistory(reads, cfg, destination, paid) : []] as const),
    ),
  );
  return found
    .map(({ address, lamports, c, entry }) => {
      const history = histories.get(entry.destination) ?? [];
      return {
        address,
        entry: c.entry,
        uri: c.uri,
        kind: ContributionKind[c.kind],
        contentHash: toHex(Uint8Array.from(c.contentHash)),
        destination: entry.destination,
        weight: entry.weight,
        owed: owedNow(entry, pool.pool),
        paid: entry.paid,
        registeredAt: Number(c.createdAt),
        status: c.status === ContributionStatus.Retired ? ('retired' as const) : ('active' as const),
        rent: lamports,
        closeRefund: lamports > share ? lamports - share : 0n,
        lastPayout: history.at(-1)?.time ?? null,
        history,
        sharingPayoutAccount: byAccount.get(entry.destination)?.sharing ?? 1,
      };
    })
    .sort((a, b) => a.entry - b.entry);
}

/** One payout into a contribution's payout account: a crank or a claim. */
export type Payout = { signature: string; time: number; amount: bigint };

/**
 * What the program paid into `destination`, oldest first: its recent transactions that invoked the
 * program and raised its token balance. Not every transaction touching the account is a payout:
 * creating it, or tokens from elsewhere, are not. Asked again only when `paid` (what the program's
 * ledger says it paid into the account) changes; each transaction is fetched once.
 */
function payoutHistory(reads: Reads, cfg: Config, destination: Address, paid: bigint): Promise<Payout[]> {
  // one history per paid total: a busy account's older totals are never asked again, so they go
  // (the newest is read again at most every 10 minutes)
  return kept(reads, ['payouts', cfg.programId, destination, paid.toString()], () => findPayouts(reads, cfg, destination), { forgetAfterMs: 600_000 });
}

async function findPayouts(reads: Reads, cfg: Config, destination: Address): Promise<Payout[]> {
  const recent = await reads.rpc.getSignaturesForAddress(destination, { limit: 50, commitment: 'confirmed' }).send();
  const out: Payout[] = [];
  for (const s of recent) {
    if (s.err) continue;
    const tx = (await landedTransaction(reads, s.signature, 'jsonParsed')) as ParsedTransaction | null;
    if (!tx?.meta) continue;
    // jsonParsed lists the lookup-table addresses too, in the order token balances index them
    const keys = tx.transaction.message.accountKeys.map((k) => k.pubkey);
    if (!keys.includes(cfg.programId)) continue;
    const index = keys.indexOf(destination);
    const balance = (list: TokenBalance[] | null) => BigInt(list?.find((b) => b.accountIndex === index)?.uiTokenAmount.amount ?? '0');
    const amount = index >= 0 ? balance(tx.meta.postTokenBalances) - balance(tx.meta.preTokenBalances) : 0n;
    const time = Number(s.blockTime ?? tx.blockTime ?? 0);
    if (amount > 0n && time) out.push({ signature: s.signature, time, amount });
  }
  return out.reverse();
}
/** The newest transaction version the app reads (the crank's v1 transactions included). */
const V1 = 1 as const;
type TokenBalance = { accountIndex: number; uiTokenAmount: { amount: string } };
type ParsedTransaction = {
  blockTime: bigint | null;
  meta: { preTokenBalances: TokenBalance[] | null; postTokenBalances: TokenBalance[] | null } | null;
  transaction: { message: { accountKeys: { pubkey: Address }[] } };
};

/** A confirmed transaction never changes: each is fetched once per encoding and kept (a failed
 * fetch is forgotten, to be asked again). */
function landedTransaction(reads: Reads, signature: Signature, encoding: 'json' | 'jsonParsed'): Promise<unknown> {
  const { rpc } = reads;
  // the crank sends v1 transactions (SIMD-0385) where the cluster has them; a node answers a
  // v1 transaction only when asked for version 1
  const config = { maxSupportedTransactionVersion: V1, commitment: 'confirmed' } as const;
  const fetch = (): Promise<unknown> =>
    encoding === 'json' ? rpc.getTransaction(signature, { ...config, encoding: 'json' }).send() : rpc.getTransaction(signature, { ...config, encoding: 'jsonParsed' }).send();
  // null: not (yet) found at this commitment, ask again next time
  return kept(reads, ['transaction', encoding, signature], fetch, { isFinal: (tx) => tx !== null });
}

export type CrankBatchEvent = { signature: string; time: number | null; page: number; paid: number; skipped: number; amount: bigint; reward: bigint; cranker: Address };

/** Recent crank batches of the pool, newest first, from the program's events in transaction logs
 * (decoded by the client's IDL-generated decoders); each transaction fetched once. Only events the
 * app's program logged itself count: another program in the same transaction can log the same bytes. */
export async function loadCrankBatches(reads: Reads, programId: Address, pool: Address, limit = 40): Promise<CrankBatchEvent[]> {
  const sigs = await reads.rpc.getSignaturesForAddress(pool, { limit, commitment: 'confirmed' }).send();
  const out: CrankBatchEvent[] = [];
  for (const s of sigs) {
    if (s.err) continue;
    const tx = (await landedTransaction(reads, s.signature, 'json')) as { meta?: { logMessages?: readonly string[] | null } } | null;
    for (const event of decodeTributaryEventsFromLogs(tx?.meta?.logMessages ?? [], programId)) {
      if (event.name !== 'CrankBatch' || event.data.pool !== pool) continue;
      const { page, paid, skipped, amount, reward, cranker } = event.data;
      out.push({ signature: s.signature, time: s.blockTime ? Number(s.blockTime) : null, page, paid, skipped, amount, reward, cranker });
    }
  }
  return out;
}

/** The pool's recent crank batches from a `tributary-index` API, newest first: every batch it
 * indexed, not only those in the pool's latest 40 signatures. */
export async function loadCrankBatchesFromIndexer(indexerUrl: string, pool: Address, limit = 40): Promise<CrankBatchEvent[]> {
  const { items } = await createIndexerClient(indexerUrl).poolCrankBatches(pool, { limit, order: 'desc' });
  return items.map((b) => ({
    signature: b.signature,
    time: b.block_time,
    page: b.page,
    paid: b.paid,
    skipped: b.skipped,
    amount: BigInt(b.amount),
    reward: BigInt(b.reward),
    cranker: address(b.cranker),
  }));
}

/** How weight and payouts spread over the pool's contributors: every registered entry, from the
 * client's PoolView (the read model the crank and CLI share). */
export type Spread = { entry: number; weight: bigint; paid: bigint; owed: bigint }[];
export async function loadSpread(rpc: Rpc, pool: Address): Promise<Spread> {
  const view = await PoolView.fetch(rpc, pool);
  return view.entries().map(({ index, entry, owed }) => ({ entry: index, weight: entry.weight, paid: entry.paid, owed }));
}

/** A mint's name and symbol, from Token-2022's metadata extension or Metaplex's metadata account;
 * null fields when it has neither. */
export type TokenInfo = { mint: Address; decimals: number; symbol: string | null; name: string | null };
export async function loadTokenInfo(rpc: Rpc, mint: Address): Promise<TokenInfo> {
  const account = await fetchAccount(rpc, mint);
  if (!account.exists) return { mint, decimals: 0, symbol: null, name: null };
  const decimals = decodeMint(account).data.decimals;
  const embedded = token2022MetadataOf(account.data);
  if (embedded) return { mint, decimals, name: embedded.name, symbol: embedded.symbol };
  const [metadata] = await findMetaplexMetadataPda(mint);
  const mpl = await fetchAccount(rpc, metadata);
  const named = mpl.exists && mpl.programAddress === METAPLEX_TOKEN_METADATA_PROGRAM ? metaplexMetadataOf(mpl.data) : null;
  return { mint, decimals, symbol: named?.symbol ?? null, name: named?.name ?? null };
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
  // the app's own words first: they may contain words a wallet's errors are matched by
  if (error instanceof UserFacingError) return text;
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
  if (isSolanaError(error, SOLANA_ERROR__BLOCK_HEIGHT_EXCEEDED) || /Blockhash not found|block height exceeded/i.test(text)) {
    return 'The transaction expired before it landed: nothing was taken but its fee, if it was sent. Please try again.';
  }
  return `Something went wrong: ${text}`;
}

/** The endpoint's cluster against the one selected, by genesis hash (asked once per endpoint). */
export async function checkCluster(reads: Reads, cfg: Config): Promise<string | null> {
  return clusterMismatch(cfg, await kept(reads, ['genesis'], () => reads.rpc.getGenesisHash().send().then(String)));
}

/** Who pays and signs, and how a transaction reaches the cluster (wallet.tsx's Sender). `fees`
 * sees the fee before the wallet is asked to sign: `show` every time, `choose` when the RPC's
 * suggested price is above the cap (the quote to send, or null to send nothing). */
export type SendContext = Reads & {
  cfg: Config;
  /** The endpoint's WebSocket client (confirmation by notifications), or null to poll. */
  subscriptions: Subscriptions | null;
  payer: Address;
  sender: Sender;
  fees: { show: (q: FeeQuote) => void; choose: (q: FeeQuote) => Promise<FeeQuote | null> };
};

/** The fee quote: the median of the non-zero fees recently paid to lock these accounts, so a
 * transaction lands when the cluster is busy, capped at the app's cap unless the user chooses more. */
async function feeQuote(ctx: SendContext, ixs: Instruction[], limit: number): Promise<{ fee: FeeQuote; asked: boolean }> {
  const writable = [...new Set(ixs.flatMap((ix) => (ix.accounts ?? []).filter((a) => a.role & 1).map((a) => a.address)))].slice(0, 128);
  const recent = await ctx.rpc.getRecentPrioritizationFees(writable).send();
  const quote = quoteFee(recent, limit, ctx.cfg.maxPriorityFee);
  if (!aboveCap(quote)) return { fee: quote, asked: false };
  const chosen = await ctx.fees.choose(quote);
  if (!chosen) throw new UserFacingError('Cancelled: nothing was signed or sent.');
  return { fee: chosen, asked: true };
}

/**
 * Build, check the SOL needed, simulate for the compute units (a program error is named before
 * anything is signed), set the limit from the simulation (+10 %) and a priority fee, then have the
 * wallet sign and send it (signAndSendTransaction) or sign it for the app to send, and wait for
 * confirmation on the app's endpoint.
 */
export async function sendWithWallet(ctx: SendContext, ixs: Instruction[], rentNeeded: bigint, label: string): Promise<string> {
  const payer = ctx.payer;
  const mismatch = await checkCluster(ctx, ctx.cfg);
  if (mismatch) throw new UserFacingError(`${mismatch} Nothing was sent.`);
  const { value: balance } = await ctx.rpc.getBalance(payer, { commitment: 'confirmed' }).send();
  const sol = (v: bigint) => (Number(v) / 1e9).toFixed(6);
  const short = (need: bigint) =>
    new UserFacingError(`Not enough SOL to ${label}: it needs about ${sol(need)} SOL (rent and fee); your wallet has ${sol(balance)} SOL.`);
  if (balance < rentNeeded + LAMPORTS_PER_SIGNATURE) throw short(rentNeeded + LAMPORTS_PER_SIGNATURE);
  let { value: latest } = await ctx.rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
  const draft = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
    (m) => appendTransactionMessageInstructions(ixs, m),
  );
  const units = await estimateComputeUnitLimitFactory({ rpc: ctx.rpc })(draft);
  const limit = Math.min(1_400_000, Math.ceil(units * 1.1));
  const { fee, asked } = await feeQuote(ctx, ixs, limit);
  // the user may have taken a while to choose: a fresh blockhash, so the choice does not expire
  if (asked) latest = (await ctx.rpc.getLatestBlockhash({ commitment: 'confirmed' }).send()).value;
  const message = pipe(
    draft,
    (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
    (m) => updateOrAppendSetComputeUnitLimitInstruction(limit, m),
    (m) => setTransactionMessageComputeUnitPrice(fee.price, m),
  );
  const need = rentNeeded + fee.total;
  if (balance < need) throw short(need);
  ctx.fees.show(fee);
  const compiled = compileTransaction(message);
  const unsigned = new Uint8Array(getTransactionEncoder().encode(compiled));
  let signature: Signature;
  if (ctx.sender.mode === 'signAndSend') {
    signature = getBase58Decoder().decode(await ctx.sender.signAndSend(unsigned)) as Signature;
  } else {
    const signed = getTransactionDecoder().decode(await ctx.sender.sign(unsigned));
    signature = await ctx.rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: 'base64', preflightCommitment: 'confirmed' }).send();
  }
  await confirmSent(ctx, { ...compiled, signatures: { ...compiled.signatures, [payer]: signatureBytes(getBase58Encoder().encode(signature)) } }, signature, latest.lastValidBlockHeight);
  return signature;
}

/**
 * Confirmed, failed, or expired — the blockhash's last valid block height passed, never a guess by
 * time: kit's own confirmation over the endpoint's WebSocket (signature and slot notifications),
 * and the same rule by polling when there is no WebSocket or it fails.
 */
async function confirmSent(ctx: SendContext, sent: Transaction, signature: Signature, lastValidBlockHeight: bigint): Promise<void> {
  if (ctx.subscriptions) {
    const config = { rpc: ctx.rpc, rpcSubscriptions: ctx.subscriptions };
    try {
      await waitForRecentTransactionConfirmation({
        commitment: 'confirmed',
        getBlockHeightExceedencePromise: createBlockHeightExceedencePromiseFactory(config),
        getRecentSignatureConfirmationPromise: createRecentSignatureConfirmationPromiseFactory(config),
        transaction: { ...sent, lifetimeConstraint: { lastValidBlockHeight } },
      });
      return;
    } catch (e) {
      // the transaction's own failure and its expiry are answers; a WebSocket that broke is not
      if (!isWebSocketFailure(e)) throw e;
    }
  }
  for (;;) {
    // the height is read before the status, so a transaction that landed in the last valid block is still seen
    const height = await ctx.rpc.getBlockHeight({ commitment: 'confirmed' }).send();
    const { value } = await ctx.rpc.getSignatureStatuses([signature]).send();
    const status = value[0];
    if (status?.err) throw getSolanaErrorFromTransactionError(status.err);
    if (status && (status.confirmationStatus === 'confirmed' || status.confirmationStatus === 'finalized')) return;
    if (height > lastValidBlockHeight) throw new SolanaError(SOLANA_ERROR__BLOCK_HEIGHT_EXCEEDED, { currentBlockHeight: height, lastValidBlockHeight });
    await new Promise((r) => setTimeout(r, 500));
  }
}

const WEBSOCKET_FAILURES: readonly number[] = [
  SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_FAILED_TO_CONNECT,
  SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_CONNECTION_CLOSED,
  SOLANA_ERROR__RPC_SUBSCRIPTIONS__CHANNEL_CLOSED_BEFORE_MESSAGE_BUFFERED,
];
/** A subscription channel's failure (or anything that is not kit's word on the transaction). */
const isWebSocketFailure = (e: unknown): boolean => !isSolanaError(e) || WEBSOCKET_FAILURES.includes(e.context.__code);

export async function sha256(file: File): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
}

/**
 * What registering costs now, in lamports: the contribution account's rent, the payout account's
 * when the wallet has none, and — only when every slot of the open ledger pages is taken — opening
 * a new page: its rent (84 entries' worth) less what the pool's page fund pays back (left there by
 * closed contributions). Operators normally keep a spare page open (`--keep-spare-page`).
 */
export type PageOpening = { index: number; rent: bigint; fromFund: bigint; cost: bigint };
export type RegistrationCost = { contribution: bigint; tokenAccount: bigint; page: PageOpening | null };
export async function registrationCost(reads: Reads, pool: PoolState, owner: Address, uri: string): Promise<RegistrationCost> {
  const p = pool.pool;
  const [contribution, { rent: tokenAccount }, page] = await Promise.all([
    rentFor(reads, BigInt(contributionSpace(uri))),
    mainAccount(reads, owner, p),
    pageOf(p.entryCount) >= p.ledgerPages ? rentFor(reads, BigInt(ledgerPageSpace())) : null,
  ]);
  return { contribution, tokenAccount, page: page === null ? null : pageOpening(p, page) };
}

function pageOpening(p: Pool, rent: bigint): PageOpening {
  const cost = pageOpeningCost(rent, p.pageFund);
  return { index: p.ledgerPages, rent, fromFund: rent - cost, cost };
}

/** The owner's associated token account of the pool's mint, and the rent creating it costs (0 when it exists). */
async function mainAccount(reads: Reads, owner: Address, p: Pool): Promise<{ destination: Address; exists: boolean; rent: bigint }> {
  const destination = await associatedTokenAddress(owner, p.mint, p.tokenProgram);
  const exists = (await fetchAccount(reads.rpc, destination)).exists;
  return { destination, exists, rent: exists ? 0n : await rentFor(reads, TOKEN_ACCOUNT_SIZE) };
}

/** The rent-exempt minimum of `size` bytes: asked once per size (it changes only with the cluster's
 * rent parameters, not while a page is open). */
function rentFor(reads: Reads, size: bigint): Promise<bigint> {
  return kept(reads, ['rent', size.toString()], () => reads.rpc.getMinimumBalanceForRentExemption(size).send().then(BigInt));
}

/**
 * Register a contribution: the payout account is the wallet's associated token account (created if
 * missing). A registration that must open a new ledger page goes ahead only with `pageRentAgreed`
 * naming that page: the contributor agreed to its rent, not to whatever page the pool needs by now.
 */
export async function register(
  ctx: SendContext,
  pool: PoolState,
  contentHash: Uint8Array,
  uri: string,
  kind: ContributionKind,
  pageRentAgreed: number | null,
): Promise<string> {
  const owner = ctx.payer;
  const signer = createNoopSigner(owner);
  const p = pool.pool;
  const [contribution] = await findContributionPda({ pool: pool.address, contentHash });
  if ((await fetchAccount(ctx.rpc, contribution)).exists) throw new UserFacingError('This file is already registered in the pool.');
  const ixs: Instruction[] = [];
  const { destination, rent: accountRent } = await ownTokenAccount(ctx, owner, p, ixs);
  let rent = accountRent;
  const page = pageOf(p.entryCount);
  if (page >= p.ledgerPages) {
    const opening = pageOpening(p, await rentFor(ctx, BigInt(ledgerPageSpace())));
    if (pageRentAgreed !== p.ledgerPages) {
      throw new UserFacingError(`Registering now opens ledger page ${p.ledgerPages}, which costs you ${formatSol(opening.cost)} SOL of its rent. Agree to it first. Nothing was sent.`);
    }
    ixs.push(await getOpenLedgerPageInstructionAsync({ payer: signer, pool: pool.address, page: p.ledgerPages }));
    rent += opening.rent; // paid first, the fund's part paid back in the same instruction
  }
  ixs.push(
    await getRegisterContributionInstructionAsync({ contributor: signer, pool: pool.address, page, destination, tokenProgram: p.tokenProgram, contentHash, kind, uri }),
  );
  rent += await rentFor(ctx, BigInt(contributionSpace(uri)));
  return sendWithWallet(ctx, ixs, rent, 'register');
}

/** The owner's associated token account of the pool's mint; its creation is added to `ixs` when missing. */
async function ownTokenAccount(ctx: SendContext, owner: Address, p: Pool, ixs: Instruction[]): Promise<{ destination: Address; rent: bigint }> {
  const { destination, exists, rent } = await mainAccount(ctx, owner, p);
  if (!exists) {
    ixs.push(await getCreateAssociatedTokenIdempotentInstructionAsync({ payer: createNoopSigner(owner), owner, mint: p.mint, tokenProgram: p.tokenProgram }));
  }
  return { destination, rent };
}

export async function claim(ctx: SendContext, pool: PoolState, c: MyContribution): Promise<string> {
  const p = pool.pool;
  const ixs: Instruction[] = [];
  const { destination, rent } = await ownTokenAccount(ctx, ctx.payer, p, ixs);
  ixs.push(
    await getClaimInstructionAsync({
      contributor: createNoopSigner(ctx.payer),
      contribution: c.address,
      pool: pool.address,
      page: pageOf(c.entry),
      mint: p.mint,
      vault: p.vault,
      destination,
      tokenProgram: p.tokenProgram,
    }),
  );
  return sendWithWallet(ctx, ixs, rent, 'claim');
}

/** Retire: no new revenue accrues to it; what it is owed stays claimable (and is still cranked). */
export async function retire(ctx: SendContext, pool: PoolState, c: MyContribution): Promise<string> {
  const contributor = createNoopSigner(ctx.payer);
  const ix = await getRetireContributionInstructionAsync({ contributor, contribution: c.address, pool: pool.address, page: pageOf(c.entry) });
  return sendWithWallet(ctx, [ix], 0n, 'retire');
}

/** Close a retired contribution with nothing owed: its account's rent comes back to the wallet, less
 * its slot's share of a ledger page (`closeRefund`). */
export async function closeContribution(ctx: SendContext, pool: PoolState, c: MyContribution): Promise<string> {
  if (c.owed > 0n) throw new UserFacingError('Claim what this contribution is owed first; then it can close.');
  const contributor = createNoopSigner(ctx.payer);
  const ix = await getCloseContributionInstructionAsync({ contributor, contribution: c.address, pool: pool.address, page: pageOf(c.entry) });
  return sendWithWallet(ctx, [ix], 0n, 'close');
}

/**
 * Point payouts at another token account; it must hold the pool's mint and be the wallet's. `'main'`
 * is the wallet's associated token account (the default payout account), created when missing.
 */
export async function changeDestination(ctx: SendContext, pool: PoolState, c: MyContribution, newDestination: string | 'main'): Promise<string> {
  const owner = ctx.payer;
  const ixs: Instruction[] = [];
  let destination: Address;
  let rent = 0n;
  if (newDestination === 'main') {
    ({ destination, rent } = await ownTokenAccount(ctx, owner, pool.pool, ixs));
  } else {
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
  }
  ixs.push(
    await getSetDestinationInstructionAsync({
      contributor: createNoopSigner(owner),
      contribution: c.address,
      pool: pool.address,
      page: pageOf(c.entry),
      destination,
      tokenProgram: pool.pool.tokenProgram,
    }),
  );
  return sendWithWallet(ctx, ixs, rent, 'change the payout account');
}

export async function tokenBalance(rpc: Rpc, account: Address, tokenProgram: Address): Promise<bigint> {
  return tokenAccountOf(await fetchAccount(rpc, account), tokenProgram)?.amount ?? 0n;
}

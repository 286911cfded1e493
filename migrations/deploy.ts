// Anchor deploy script: `anchor migrate` runs it after `anchor deploy` with the provider from
// Anchor.toml; without the Anchor CLI, `npm run migrate` does the same (migrations/migrate.cjs).
//
// It creates the deployer's first pool, through the typed Anchor client built from the checked-in
// IDL (idl/tributary.json + idl/tributary.ts), and is idempotent: an existing pool is reported, not
// touched. It keeps Anchor's client, not @tributary/client, on purpose: `anchor migrate` hands it an
// AnchorProvider and runs it as CommonJS (the kit client is ESM-only), and it is the one place that
// proves the checked-in IDL serves teams on Anchor's TypeScript client (the browser test runs it).
// Settings come from the environment:
//
//   TRIBUTARY_MINT               revenue mint (SPL Token or Token-2022). Unset: on localnet a fresh
//                                6-decimal SPL Token mint is created with the wallet as its authority;
//                                on any other cluster the script stops (a pool's mint is for life).
//   TRIBUTARY_POOL_ID            pool id, seeds the pool address            [0]
//   TRIBUTARY_ATTESTOR           who posts attribution weights             [the wallet]
//   TRIBUTARY_CRANKER_REWARD_BPS cranker's share of each payout, ≤ 100 bps  [10]
//   TRIBUTARY_MIN_PAYOUT         smallest crank payout, in base units       [0]
//
// The last line printed is JSON ({"pool", "vault", "mint", "created"}) for scripts.
import * as anchor from "@anchor-lang/core";
import { createMint } from "@solana/spl-token";
import type { Tributary } from "../idl/tributary";
import idl from "../idl/tributary.json";

const { BN, web3 } = anchor;

function setting(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === "" ? fallback : value;
}

function integer(name: string, fallback: string, max: bigint): bigint {
  const text = setting(name, fallback);
  if (!/^\d+$/.test(text) || BigInt(text) > max) {
    throw new Error(`${name}=${text}: expected a whole number from 0 to ${max}`);
  }
  return BigInt(text);
}

function publicKey(name: string, text: string): anchor.web3.PublicKey {
  try {
    return new web3.PublicKey(text);
  } catch {
    throw new Error(`${name}=${text} is not a base58 public key`);
  }
}

const isLocal = (endpoint: string) => /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\/?$/.test(endpoint);

module.exports = async function (provider: anchor.AnchorProvider) {
  anchor.setProvider(provider);
  const program = new anchor.Program<Tributary>(idl as Tributary, provider);
  const connection = provider.connection;
  const creator = provider.wallet.publicKey;

  const poolId = integer("TRIBUTARY_POOL_ID", "0", 2n ** 64n - 1n);
  const crankerRewardBps = Number(integer("TRIBUTARY_CRANKER_REWARD_BPS", "10", 100n));
  const minPayout = integer("TRIBUTARY_MIN_PAYOUT", "0", 2n ** 64n - 1n);
  const attestor = publicKey("TRIBUTARY_ATTESTOR", setting("TRIBUTARY_ATTESTOR", creator.toBase58()));

  const poolIdBytes = Buffer.alloc(8);
  poolIdBytes.writeBigUInt64LE(poolId);
  const [pool] = web3.PublicKey.findProgramAddressSync(
    [Buffer.from("pool"), creator.toBuffer(), poolIdBytes],
    program.programId,
  );
  const [vault] = web3.PublicKey.findProgramAddressSync([Buffer.from("vault"), pool.toBuffer()], program.programId);

  const existing = await program.account.pool.fetchNullable(pool);
  if (existing) {
    console.log(`pool ${pool.toBase58()} (id ${poolId}) already exists for mint ${existing.mint.toBase58()}; nothing to do`);
    console.log(JSON.stringify({ pool: pool.toBase58(), vault: vault.toBase58(), mint: existing.mint.toBase58(), created: false }));
    return;
  }

  let mint: anchor.web3.PublicKey;
  const mintSetting = setting("TRIBUTARY_MINT", "");
  if (mintSetting) {
    mint = publicKey("TRIBUTARY_MINT", mintSetting);
  } else if (isLocal(connection.rpcEndpoint)) {
    const payer = (provider.wallet as anchor.Wallet).payer;
    if (!payer) throw new Error("creating a localnet mint needs a keypair wallet (or set TRIBUTARY_MINT)");
    mint = await createMint(connection, payer, creator, null, 6);
    console.log(`created localnet mint ${mint.toBase58()} (6 decimals, authority ${creator.toBase58()})`);
  } else {
    throw new Error(`set TRIBUTARY_MINT: ${connection.rpcEndpoint} is not localnet, and a pool's mint cannot be changed`);
  }

  // the token program is the mint's owner: SPL Token or Token-2022 (the program checks which)
  const mintAccount = await connection.getAccountInfo(mint);
  if (!mintAccount) throw new Error(`mint ${mint.toBase58()} does not exist on ${connection.rpcEndpoint}`);

  const signature = await program.methods
    .createPool({ poolId: new BN(poolId.toString()), attestor, crankerRewardBps, minPayout: new BN(minPayout.toString()) })
    .accountsPartial({ creator, pool, mint, vault, tokenProgram: mintAccount.owner })
    .rpc();
  console.log(`created pool ${pool.toBase58()} (id ${poolId}, vault ${vault.toBase58()}), signature ${signature}`);
  console.log(JSON.stringify({ pool: pool.toBase58(), vault: vault.toBase58(), mint: mint.toBase58(), created: true }));
};

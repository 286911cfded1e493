// Reading a Pool account as the program means it. The pool is zero-copy (state/pool.rs): its
// 128-bit values are stored as [low, high] u64 halves, `paused` is a byte, and "no pending
// authority" is the all-zero key.
import type { Address } from '@solana/kit';
import type { Pool } from './generated';

/** The all-zero key (base58): the pool's `pendingAuthority` when no transfer is pending. */
export const NO_AUTHORITY = '11111111111111111111111111111111' as Address;

/** A 128-bit value the program stores as little-endian u64 halves `[low, high]`. */
export const u128Of = (halves: ReadonlyArray<bigint>): bigint => {
  if (halves.length !== 2) throw new Error(`a 128-bit value is two u64 halves, got ${halves.length}`);
  return BigInt(halves[0]) | (BigInt(halves[1]) << 64n);
};

/** The pool's accumulator and running totals as whole bigints. */
export type PoolAmounts = {
  accPerWeight: bigint;
  totalDeposited: bigint;
  totalUsageFees: bigint;
  totalPaid: bigint;
  totalCrankerRewards: bigint;
};

export const poolAmounts = (pool: Pool): PoolAmounts => ({
  accPerWeight: u128Of(pool.accPerWeight),
  totalDeposited: u128Of(pool.totalDeposited),
  totalUsageFees: u128Of(pool.totalUsageFees),
  totalPaid: u128Of(pool.totalPaid),
  totalCrankerRewards: u128Of(pool.totalCrankerRewards),
});

export const isPaused = (pool: Pick<Pool, 'paused'>): boolean => pool.paused !== 0;

/** The proposed next authority, or null when none is pending. */
export const pendingAuthorityOf = (pool: Pick<Pool, 'pendingAuthority'>): Address | null =>
  pool.pendingAuthority === NO_AUTHORITY ? null : pool.pendingAuthority;

// A token's name and symbol, from where wallets find them: Token-2022's metadata extension in the
// mint itself, or Metaplex Token Metadata's account for the mint. Read by hand, a few bytes each:
// @solana-program/token-2022 needs kit 7 (this package is on kit 6) and Metaplex's client brings its
// own framework (umi); both layouts are fixed by their programs.
import { address, getAddressEncoder, getProgramDerivedAddress, getUtf8Decoder, type Address, type ProgramDerivedAddress, type ReadonlyUint8Array } from '@solana/kit';

export type TokenName = { name: string; symbol: string; uri: string };

export const METAPLEX_TOKEN_METADATA_PROGRAM = address('metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s');

/** Metaplex's metadata account of `mint`: seeds "metadata", the program, the mint. */
export function findMetaplexMetadataPda(mint: Address): Promise<ProgramDerivedAddress> {
  const enc = getAddressEncoder();
  return getProgramDerivedAddress({ programAddress: METAPLEX_TOKEN_METADATA_PROGRAM, seeds: ['metadata', enc.encode(METAPLEX_TOKEN_METADATA_PROGRAM), enc.encode(mint)] });
}

const utf8 = getUtf8Decoder();
/** A u32-length-prefixed string at `at` (NUL padding and spaces trimmed), and where the next field starts. */
function borshString(data: ReadonlyUint8Array, at: number): [string, number] {
  if (at + 4 > data.length) throw new RangeError('truncated');
  const length = new DataView(data.buffer, data.byteOffset + at, 4).getUint32(0, true);
  if (at + 4 + length > data.length) throw new RangeError('truncated');
  return [utf8.decode(data.subarray(at + 4, at + 4 + length)).replace(/\0+$/, '').trim(), at + 4 + length];
}

/** Name, symbol and uri, one after another from `at` (both layouts store them so), or null when cut off. */
function nameSymbolUri(data: ReadonlyUint8Array, at: number): TokenName | null {
  try {
    const [name, afterName] = borshString(data, at);
    const [symbol, afterSymbol] = borshString(data, afterName);
    const [uri] = borshString(data, afterSymbol);
    return { name, symbol, uri };
  } catch {
    return null;
  }
}

const TOKEN_ACCOUNT_BASE = 165;
const ACCOUNT_TYPE_MINT = 1;
const EXTENSION_TOKEN_METADATA = 19;

/**
 * Token-2022's TokenMetadata extension of a mint account, or null. After the 165-byte base and the
 * account-type byte come TLV entries (u16 type, u16 length); TokenMetadata holds the update
 * authority and the mint (32 bytes each), then name, symbol and uri.
 */
export function token2022MetadataOf(data: ReadonlyUint8Array): TokenName | null {
  if (data.length <= TOKEN_ACCOUNT_BASE + 1 || data[TOKEN_ACCOUNT_BASE] !== ACCOUNT_TYPE_MINT) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  for (let at = TOKEN_ACCOUNT_BASE + 1; at + 4 <= data.length; ) {
    const type = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (type === 0) break; // uninitialized: the rest is padding
    if (at + 4 + length > data.length) return null; // cut off
    if (type === EXTENSION_TOKEN_METADATA) return nameSymbolUri(data.subarray(at + 4, at + 4 + length), 64);
    at += 4 + length;
  }
  return null;
}

/** Metaplex Token Metadata (key, update authority, mint, then name, symbol and uri, each
 * u32-prefixed and NUL-padded to 32/10/200 bytes), or null when the bytes are not that. */
export function metaplexMetadataOf(data: ReadonlyUint8Array): TokenName | null {
  const KEY_METADATA_V1 = 4;
  if (data.length < 1 + 64 + 12 || data[0] !== KEY_METADATA_V1) return null;
  return nameSymbolUri(data, 1 + 64);
}

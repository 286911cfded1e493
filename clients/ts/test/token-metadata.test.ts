// A token's name and symbol as wallets find them: Token-2022's metadata extension (bytes from the
// interface's own encoder, @solana/spl-token-metadata's `pack`) and a Metaplex metadata account.
import { describe, expect, it } from 'vitest';
import { address, getAddressEncoder } from '@solana/kit';
import { PublicKey } from '@solana/web3.js';
import { pack } from '@solana/spl-token-metadata';
import { findMetaplexMetadataPda, metaplexMetadataOf, token2022MetadataOf } from '../src';

const MINT = address('So11111111111111111111111111111111111111112');
const AUTHORITY = address('Dds5Xtqydxj6rE318P45W33NfWuVSCh6fz7doqan5Vs7');
const tlv = (type: number, value: Uint8Array) => {
  const out = new Uint8Array(4 + value.length);
  new DataView(out.buffer).setUint16(0, type, true);
  new DataView(out.buffer).setUint16(2, value.length, true);
  out.set(value, 4);
  return out;
};
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
};

describe('Token-2022 metadata extension', () => {
  const metadata = pack({
    updateAuthority: new PublicKey(AUTHORITY),
    mint: new PublicKey(MINT),
    name: 'Tributary Test Dollar',
    symbol: 'TTD',
    uri: 'https://example.invalid/ttd.json',
    additionalMetadata: [['k', 'v']],
  });
  // a mint: 82-byte base padded to 165, account type 1, then a MetadataPointer (type 18) and TokenMetadata (type 19)
  const base = new Uint8Array(165);
  const mint = concat(base, Uint8Array.of(1), tlv(18, new Uint8Array(64)), tlv(19, new Uint8Array(metadata)));

  it('finds the name, symbol and uri after other extensions', () => {
    expect(token2022MetadataOf(mint)).toEqual({ name: 'Tributary Test Dollar', symbol: 'TTD', uri: 'https://example.invalid/ttd.json' });
  });
  it('is null for a mint without it, a token account, a plain SPL mint and cut-off bytes', () => {
    expect(token2022MetadataOf(concat(base, Uint8Array.of(1), tlv(18, new Uint8Array(64))))).toBeNull();
    expect(token2022MetadataOf(concat(base, Uint8Array.of(2), tlv(19, new Uint8Array(metadata))))).toBeNull();
    expect(token2022MetadataOf(new Uint8Array(82))).toBeNull();
    expect(token2022MetadataOf(mint.subarray(0, mint.length - 10))).toBeNull();
  });
});

describe('Metaplex token metadata', () => {
  const padded = (text: string, size: number) => {
    const bytes = new Uint8Array(4 + size);
    new DataView(bytes.buffer).setUint32(0, size, true);
    bytes.set(new TextEncoder().encode(text), 4);
    return bytes;
  };
  const enc = getAddressEncoder();
  // key 4 (MetadataV1), update authority, mint, then name/symbol/uri NUL-padded to 32/10/200
  const account = concat(Uint8Array.of(4), new Uint8Array(enc.encode(AUTHORITY)), new Uint8Array(enc.encode(MINT)), padded('Wrapped SOL', 32), padded('SOL', 10), padded('', 200), new Uint8Array(40));

  it('reads the padded name and symbol', () => {
    expect(metaplexMetadataOf(account)).toEqual({ name: 'Wrapped SOL', symbol: 'SOL', uri: '' });
  });
  it('is null for another account kind or cut-off bytes', () => {
    expect(metaplexMetadataOf(concat(Uint8Array.of(6), account.subarray(1)))).toBeNull();
    expect(metaplexMetadataOf(account.subarray(0, 80))).toBeNull();
  });
  it("derives the metadata account from the mint (Metaplex's seeds)", async () => {
    // wrapped SOL's metadata account on mainnet
    expect((await findMetaplexMetadataPda(MINT))[0]).toBe('6dM4TqWyWJsbx7obrdLcviBkTafD5E8av61zfU6jq57X');
  });
});

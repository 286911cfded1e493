// What the page talks to, from its URL: the cluster's endpoints, the WebSocket beside the RPC, an
// indexer only over http(s), and the cluster check's words; and the query keys' hierarchy, which
// decides what one invalidation reads again.
import { describe, expect, it } from 'vitest';
import { address } from '@solana/kit';
import { clusterMismatch, explorerUrl, GENESIS_HASH, loadConfig } from '../src/config';
import { queryKeys } from '../src/query-keys';

const POOL = address('2RhZaJUqB8g6PHuiz7rLxUF6oUy1DzCTaxrsNxkpk9b2');
const OWNER = address('Dds5Xtqydxj6rE318P45W33NfWuVSCh6fz7doqan5Vs7');

describe('loadConfig', () => {
  it('localnet by default; the WebSocket on the next port; no pool lists the pools', () => {
    const cfg = loadConfig('');
    expect([cfg.cluster, cfg.rpcUrl, cfg.wsUrl, cfg.pool, cfg.indexerUrl]).toEqual(['localnet', 'http://127.0.0.1:8899', 'ws://127.0.0.1:8900/', null, null]);
  });

  it('a devnet page over https gets wss on the same host', () => {
    const cfg = loadConfig(`?cluster=devnet&pool=${POOL}`);
    expect([cfg.chain, cfg.rpcUrl, cfg.wsUrl, cfg.pool]).toEqual(['solana:devnet', 'https://api.devnet.solana.com', 'wss://api.devnet.solana.com/', POOL]);
  });

  it('an indexer only over http(s); an unknown cluster or a bad pool address is refused', () => {
    expect(loadConfig('?indexer=http://127.0.0.1:8787/').indexerUrl).toBe('http://127.0.0.1:8787');
    expect(loadConfig('?indexer=javascript:alert(1)').indexerUrl).toBe(null);
    expect(loadConfig('?indexer=file:///etc/passwd').indexerUrl).toBe(null);
    expect(() => loadConfig('?cluster=moonnet')).toThrow(/unknown cluster/);
    expect(() => loadConfig('?pool=not-an-address')).toThrow();
  });
});

describe('clusterMismatch', () => {
  it('names the cluster an endpoint really serves', () => {
    const devnet = loadConfig('?cluster=devnet');
    expect(clusterMismatch(devnet, GENESIS_HASH.devnet)).toBe(null);
    expect(clusterMismatch(devnet, GENESIS_HASH.mainnet)).toMatch(/serves mainnet, not devnet/);
    expect(clusterMismatch(devnet, 'AVn8Sm6qoqcALczJcYwa9XZoY6UDaCcVwgjdTN1Edguy')).toMatch(/another cluster \(genesis AVn8/);
    const local = loadConfig('');
    expect(clusterMismatch(local, 'AVn8Sm6qoqcALczJcYwa9XZoY6UDaCcVwgjdTN1Edguy')).toBe(null);
    expect(clusterMismatch(local, GENESIS_HASH.mainnet)).toMatch(/serves mainnet, not a local cluster/);
  });

  it('explorer links name the cluster; a local one through its custom-RPC mode', () => {
    expect(explorerUrl(loadConfig('?cluster=mainnet'), 'tx', 'sig')).toBe('https://explorer.solana.com/tx/sig');
    expect(explorerUrl(loadConfig(''), 'address', 'a')).toBe(`https://explorer.solana.com/address/a?cluster=custom&customUrl=${encodeURIComponent('http://127.0.0.1:8899')}`);
  });
});

describe('queryKeys', () => {
  const startsWith = (key: readonly unknown[], prefix: readonly unknown[]) => prefix.every((p, i) => key[i] === p);
  it('what moves with a pool lies under its key; what never changes, and other pools, do not', () => {
    const pool = queryKeys.pool('r', POOL);
    expect(startsWith(queryKeys.wallet('r', POOL, OWNER), pool)).toBe(true);
    expect(startsWith(queryKeys.registrationCost('r', POOL, OWNER, 'ipfs://x'), queryKeys.wallet('r', POOL, OWNER))).toBe(true);
    expect(startsWith(queryKeys.contributions('r', POOL, OWNER), queryKeys.wallet('r', POOL, OWNER))).toBe(true);
    expect(startsWith(queryKeys.clusterCheck('r', 'devnet'), pool)).toBe(false);
    expect(startsWith(queryKeys.fixed('r', 'rent', '165'), pool)).toBe(false);
    expect(startsWith(queryKeys.pool('r', OWNER), pool)).toBe(false);
    expect(startsWith(queryKeys.pool('other-endpoint', POOL), pool)).toBe(false);
    for (const key of [pool, queryKeys.fixed('r', 'genesis'), queryKeys.pools('r', OWNER)]) expect(startsWith(key, queryKeys.chain('r'))).toBe(true);
  });
});

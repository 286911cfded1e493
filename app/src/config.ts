// Which cluster, RPC endpoint, program and pool the app talks to: build-time VITE_* variables,
// overridable per visit with ?rpc=…&pool=…&cluster=…&program=… (and ?maxPriorityFee=…, which can
// only lower the build's cap).
import { address, type Address } from '@solana/kit';
import { TRIBUTARY_PROGRAM_ADDRESS } from '@tributary/client';
import { priorityFeeCap } from './fees';

export type Cluster = 'localnet' | 'devnet' | 'testnet' | 'mainnet';

export type Config = {
  rpcUrl: string;
  /** The endpoint's WebSocket (subscriptions): `?ws=`, else the RPC URL as ws(s), on the next port
   * when the URL names one (solana-test-validator's layout: 8899 → 8900). */
  wsUrl: string;
  cluster: Cluster;
  /** Wallet Standard chain id, e.g. solana:devnet. */
  chain: `solana:${Cluster}`;
  programId: Address;
  pool: Address | null;
  /** Highest compute-unit price sent without asking, micro-lamports per CU (fees.ts). */
  maxPriorityFee: bigint;
  /** A `tributary-index` API (`?indexer=` or VITE_INDEXER_URL): statements and crank batches from
   * it, each checked against the chain; null reads them from RPC for this wallet only. */
  indexerUrl: string | null;
};

const DEFAULT_RPC: Record<Cluster, string> = {
  localnet: 'http://127.0.0.1:8899',
  devnet: 'https://api.devnet.solana.com',
  testnet: 'https://api.testnet.solana.com',
  mainnet: 'https://api.mainnet-beta.solana.com',
};

/**
 * Each public cluster's genesis hash: what the RPC endpoint must report for the cluster selected
 * (a wallet's `chains` only lists what it supports, not where it is).
 */
export const GENESIS_HASH: Record<Exclude<Cluster, 'localnet'>, string> = {
  mainnet: '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d',
  devnet: 'EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG',
  testnet: '4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY',
};

/** Why the endpoint's genesis hash is not the selected cluster's, or null when it is. */
export function clusterMismatch(cfg: Config, genesisHash: string): string | null {
  const servedBy = (Object.keys(GENESIS_HASH) as (keyof typeof GENESIS_HASH)[]).find((c) => GENESIS_HASH[c] === genesisHash);
  if (cfg.cluster === 'localnet') {
    return servedBy ? `The RPC endpoint ${cfg.rpcUrl} serves ${servedBy}, not a local cluster.` : null;
  }
  if (genesisHash === GENESIS_HASH[cfg.cluster]) return null;
  return `The RPC endpoint ${cfg.rpcUrl} serves ${servedBy ?? `another cluster (genesis ${genesisHash})`}, not ${cfg.cluster}.`;
}

export function loadConfig(search = window.location.search): Config {
  const q = new URLSearchParams(search);
  const env = import.meta.env;
  const cluster = (q.get('cluster') ?? env.VITE_CLUSTER ?? 'localnet') as Cluster;
  if (!(cluster in DEFAULT_RPC)) throw new Error(`unknown cluster '${cluster}'`);
  const pool = q.get('pool') ?? env.VITE_POOL ?? null;
  const rpcUrl = q.get('rpc') ?? env.VITE_RPC_URL ?? DEFAULT_RPC[cluster];
  return {
    rpcUrl,
    wsUrl: q.get('ws') ?? env.VITE_WS_URL ?? webSocketUrl(rpcUrl),
    cluster,
    chain: `solana:${cluster}`,
    programId: address(q.get('program') ?? env.VITE_PROGRAM_ID ?? TRIBUTARY_PROGRAM_ADDRESS),
    pool: pool ? address(pool) : null,
    maxPriorityFee: priorityFeeCap(env.VITE_MAX_PRIORITY_FEE, q.get('maxPriorityFee')),
    indexerUrl: httpUrl(q.get('indexer') ?? env.VITE_INDEXER_URL ?? null),
  };
}

/** An http(s) URL, or null (anything else is ignored rather than fetched). */
function httpUrl(value: string | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString().replace(/\/+$/, '') : null;
  } catch {
    return null;
  }
}

function webSocketUrl(rpcUrl: string): string {
  const url = new URL(rpcUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (url.port) url.port = String(Number(url.port) + 1);
  return url.toString();
}

/** The Solana Explorer page of a transaction or an account on the selected cluster (a local
 * cluster through the explorer's custom-RPC mode). */
export function explorerUrl(cfg: Config, kind: 'tx' | 'address', id: string): string {
  const cluster =
    cfg.cluster === 'mainnet'
      ? ''
      : cfg.cluster === 'localnet'
        ? `?cluster=custom&customUrl=${encodeURIComponent(cfg.rpcUrl)}`
        : `?cluster=${cfg.cluster}`;
  return `https://explorer.solana.com/${kind}/${id}${cluster}`;
}

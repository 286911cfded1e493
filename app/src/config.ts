// Which cluster, RPC endpoint, program and pool the app talks to: build-time VITE_* variables,
// overridable per visit with ?rpc=…&pool=…&cluster=…&program=….
import { address, type Address } from '@solana/kit';
import { TRIBUTARY_PROGRAM_ADDRESS } from '@tributary/client';

export type Cluster = 'localnet' | 'devnet' | 'testnet' | 'mainnet';

export type Config = {
  rpcUrl: string;
  cluster: Cluster;
  /** Wallet Standard chain id, e.g. solana:devnet. */
  chain: `solana:${Cluster}`;
  programId: Address;
  pool: Address | null;
};

const DEFAULT_RPC: Record<Cluster, string> = {
  localnet: 'http://127.0.0.1:8899',
  devnet: 'https://api.devnet.solana.com',
  testnet: 'https://api.testnet.solana.com',
  mainnet: 'https://api.mainnet-beta.solana.com',
};

export function loadConfig(search = window.location.search): Config {
  const q = new URLSearchParams(search);
  const env = import.meta.env;
  const cluster = (q.get('cluster') ?? env.VITE_CLUSTER ?? 'localnet') as Cluster;
  if (!(cluster in DEFAULT_RPC)) throw new Error(`unknown cluster '${cluster}'`);
  const pool = q.get('pool') ?? env.VITE_POOL ?? null;
  return {
    rpcUrl: q.get('rpc') ?? env.VITE_RPC_URL ?? DEFAULT_RPC[cluster],
    cluster,
    chain: `solana:${cluster}`,
    programId: address(q.get('program') ?? env.VITE_PROGRAM_ID ?? TRIBUTARY_PROGRAM_ADDRESS),
    pool: pool ? address(pool) : null,
  };
}

import { defaultClientConditions, defaultServerConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Cluster, RPC and program are configured at build time (VITE_* variables) and can be overridden
// per visit with ?rpc=…&pool=…&cluster=… (see src/config.ts).
export default defineConfig({
  plugins: [react()],
  // @tributary/client from its TypeScript source inside this workspace (its package exports name
  // the source under this condition; the published package has dist/ only)
  resolve: { conditions: ['tributary-source', ...defaultClientConditions] },
  // the unit tests (vitest, in Node) resolve it the same way: no client build needed first
  ssr: { resolve: { conditions: ['tributary-source', ...defaultServerConditions], externalConditions: ['tributary-source'] } },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022' },
});

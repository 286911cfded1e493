import { StrictMode } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { chainQueryDefaults } from './query-keys';
import { WalletProvider } from './wallet';
import './style.css';

// data read from the indexer: kept 10 s, retried twice, refetched when the window regains focus
const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: 10_000, retry: 2 } } });
// what is read from the chain is fresh until the chain says it changed (query-keys.ts)
queryClient.setQueryDefaults(['chain'], chainQueryDefaults);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <WalletProvider>
        <App />
      </WalletProvider>
    </QueryClientProvider>
  </StrictMode>,
);

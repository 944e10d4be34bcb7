import { createContext, useContext, type ReactNode } from 'react';
import type { FleetApi } from '../../src-main/shared/contract';
import type { QueryClient } from './query-client';
import type { WebSession } from './web-client';

export interface ApiContextValue {
  api: FleetApi;
  queries: QueryClient;
  /** Web mode only. */
  session: WebSession | null;
}

const ApiContext = createContext<ApiContextValue | null>(null);

export function ApiProvider({ value, children }: { value: ApiContextValue; children: ReactNode }) {
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('useApi outside ApiProvider');
  return value;
}

import { useMemo } from 'react';
import { ErrorAlert } from './components/ui/alert';
import { Button } from './components/ui/button';
import { AppShell } from './features/shell/components/app-shell';
import { LoginScreen } from './features/session/components/login-screen';
import { UnlockScreen } from './features/session/components/unlock-screen';
import { useAppBoot, type BootPhase } from './features/session/hooks/use-app-boot';
import { useConnectionState, useLiveUpdates } from './features/session/hooks/use-live-updates';
import { ApiProvider, type ApiContextValue } from './lib/api-context';
import { QueryClient } from './lib/query-client';
import { useRoute } from './lib/router';
import type { StoreSession } from './lib/desktop-session';
import type { Transport } from './lib/transport';
import { WizardProvider } from './features/wizard/hooks/wizard-context';
import { RouteView } from './routes/route-view';

/** What tests wait on instead of sleeping: `[data-app-state="loaded"]`. */
const APP_STATE: Record<BootPhase['kind'], string> = {
  loading: 'loading',
  login: 'login',
  locked: 'locked',
  ready: 'loaded',
  error: 'error',
};

export function App({ transport, initialToken }: { transport: Transport; initialToken: string | null }) {
  const context = useMemo<ApiContextValue>(
    () => ({ api: transport.api, session: transport.session, queries: new QueryClient(transport.api) }),
    [transport],
  );
  return (
    <ApiProvider value={context}>
      <Root context={context} store={transport.store} initialToken={initialToken} />
    </ApiProvider>
  );
}

function Root({
  context,
  store,
  initialToken,
}: {
  context: ApiContextValue;
  store: StoreSession;
  initialToken: string | null;
}) {
  const { phase, login, logout, unlock, retry } = useAppBoot(context, store, initialToken);
  const connection = useConnectionState(context);
  const route = useRoute();
  useLiveUpdates(context);

  let body;
  switch (phase.kind) {
    case 'loading':
      body = (
        <div className="splash" aria-busy="true">
          <span className="spinner" aria-hidden="true" /> Opening the store…
        </div>
      );
      break;
    case 'login':
      body = <LoginScreen notice={phase.notice} onLogin={login} />;
      break;
    case 'locked':
      body = (
        <UnlockScreen
          initialized={phase.initialized}
          keychain={phase.keychain}
          notice={phase.notice}
          onUnlock={unlock}
        />
      );
      break;
    case 'error':
      body = (
        <div className="splash splash-error">
          <ErrorAlert error={phase.error} testId="boot-error" />
          <Button onClick={() => void retry()} data-testid="boot-retry">
            Try again
          </Button>
        </div>
      );
      break;
    case 'ready':
      body = (
        <AppShell
          route={route}
          info={phase.info}
          connection={connection}
          onLogout={context.session ? () => void logout() : null}
        >
          <WizardProvider>
            <RouteView route={route} />
          </WizardProvider>
        </AppShell>
      );
      break;
  }
  return (
    <div className="app" data-testid="app" data-app-state={APP_STATE[phase.kind]}>
      {body}
    </div>
  );
}

import './lib/zod-jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { applyTheme } from './lib/theme';
import { pickTransport, takeTokenFromFragment } from './lib/transport';
import './styles/app.css';

// Before the first paint, so a light-theme operator never sees a dark flash.
applyTheme();
const transport = pickTransport();
// Read before the first render so the token leaves the address bar at once.
const initialToken = transport.session ? takeTokenFromFragment() : null;

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
createRoot(container).render(
  <StrictMode>
    <App transport={transport} initialToken={initialToken} />
  </StrictMode>,
);

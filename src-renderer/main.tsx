import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { pickTransport, takeTokenFromFragment } from './lib/transport';
import './styles/app.css';

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

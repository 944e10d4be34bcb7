/**
 * Hash routing: `#/hosts`, `#/servers/everything`, `#/wizard?step=2`, ... Hash changes are in-page, so
 * they work from file:// in Electron (where will-navigate is blocked) and from any path in web mode.
 * Every route is a typed value; `parseHash` and `toHash` are each other's inverse.
 */
import { useSyncExternalStore } from 'react';

export type DashboardView = 'shared' | 'dedicated';
export type WizardStep = 0 | 1 | 2 | 3 | 4;

export type Route =
  | { page: 'dashboard'; view: DashboardView }
  | { page: 'servers' }
  | { page: 'server-new' }
  | { page: 'server'; name: string }
  | { page: 'wizard'; step: WizardStep }
  | { page: 'hosts' }
  | { page: 'host-new' }
  | { page: 'instance'; id: string }
  | { page: 'store' }
  | { page: 'audit' }
  | { page: 'settings' };

export type PageName = Route['page'];

export const DEFAULT_ROUTE: Route = { page: 'dashboard', view: 'shared' };

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

function wizardStep(search: URLSearchParams): WizardStep {
  const n = Number(search.get('step') ?? '0');
  return n === 1 || n === 2 || n === 3 || n === 4 ? n : 0;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const search = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  const [first, second] = parts;
  const one = parts.length === 1;
  const two = parts.length === 2;
  if (first === 'dashboard' && two && (second === 'shared' || second === 'dedicated'))
    return { page: 'dashboard', view: second };
  if (first === 'servers' && one) return { page: 'servers' };
  if (first === 'servers' && two && second === 'new') return { page: 'server-new' };
  if (first === 'servers' && two) {
    const name = decode(second as string);
    if (name) return { page: 'server', name };
  }
  if (first === 'wizard' && one) return { page: 'wizard', step: wizardStep(search) };
  if (first === 'hosts' && one) return { page: 'hosts' };
  if (first === 'hosts' && two && second === 'new') return { page: 'host-new' };
  if (first === 'store' && one) return { page: 'store' };
  if (first === 'audit' && one) return { page: 'audit' };
  if (first === 'settings' && one) return { page: 'settings' };
  if (first === 'instances' && two) {
    const id = decode(second as string);
    if (id) return { page: 'instance', id };
  }
  return DEFAULT_ROUTE;
}

export function toHash(route: Route): string {
  switch (route.page) {
    case 'dashboard':
      return `#/dashboard/${route.view}`;
    case 'servers':
      return '#/servers';
    case 'server-new':
      return '#/servers/new';
    case 'server':
      return `#/servers/${encodeURIComponent(route.name)}`;
    case 'wizard':
      return route.step === 0 ? '#/wizard' : `#/wizard?step=${route.step}`;
    case 'hosts':
      return '#/hosts';
    case 'host-new':
      return '#/hosts/new';
    case 'instance':
      return `#/instances/${encodeURIComponent(route.id)}`;
    case 'store':
      return '#/store';
    case 'audit':
      return '#/audit';
    case 'settings':
      return '#/settings';
  }
}

// One parsed value per hash, so useSyncExternalStore sees a stable snapshot between changes.
let lastHash: string | null = null;
let lastRoute: Route = DEFAULT_ROUTE;

function current(): Route {
  const hash = window.location.hash;
  if (hash !== lastHash) {
    lastHash = hash;
    lastRoute = parseHash(hash);
  }
  return lastRoute;
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

export function useRoute(): Route {
  return useSyncExternalStore(subscribe, current);
}

export function navigate(route: Route): void {
  window.location.hash = toHash(route);
}

export function href(route: Route): string {
  return toHash(route);
}

/** True when `route` is the page `target` names or lies under it in the sidebar's sense. */
export function isUnder(route: Route, target: Route): boolean {
  if (target.page === 'dashboard') return route.page === 'dashboard' && route.view === target.view;
  if (target.page === 'servers')
    return route.page === 'servers' || route.page === 'server' || route.page === 'server-new';
  if (target.page === 'hosts') return route.page === 'hosts' || route.page === 'host-new';
  if (target.page === 'wizard') return route.page === 'wizard';
  return toHash(route) === toHash(target);
}

/**
 * Hash routing: `#/hosts`, `#/servers/new`, ... Hash changes are in-page, so they work from file:// in
 * Electron (where will-navigate is blocked) and from any path in web mode.
 */
import { useSyncExternalStore } from 'react';

export const routes = ['/servers', '/servers/new', '/hosts', '/hosts/new'] as const;
export type RoutePath = (typeof routes)[number];

export const DEFAULT_ROUTE: RoutePath = '/servers';

function isRoute(path: string): path is RoutePath {
  return (routes as readonly string[]).includes(path);
}

function current(): RoutePath {
  const path = window.location.hash.replace(/^#/, '');
  return isRoute(path) ? path : DEFAULT_ROUTE;
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

export function useRoute(): RoutePath {
  return useSyncExternalStore(subscribe, current);
}

export function navigate(path: RoutePath): void {
  window.location.hash = path;
}

export function href(path: RoutePath): string {
  return '#' + path;
}

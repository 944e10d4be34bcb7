/**
 * Light, dark, or the system's choice. The pick is kept in localStorage and applied as data-theme on
 * <html>, where the stylesheet reads it; "system" removes the attribute.
 */
import { useCallback, useSyncExternalStore } from 'react';

export type Theme = 'system' | 'light' | 'dark';

const KEY = 'mcp-fleet-theme';
const listeners = new Set<() => void>();

function read(): Theme {
  try {
    const value = window.localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(theme: Theme = read()): void {
  if (theme === 'system') delete document.documentElement.dataset['theme'];
  else document.documentElement.dataset['theme'] = theme;
}

function setTheme(theme: Theme): void {
  try {
    if (theme === 'system') window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, theme);
  } catch {
    // Storage may be off (private mode): the choice then lasts until reload.
  }
  applyTheme(theme);
  for (const listener of listeners) listener();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };

export function useTheme(): { theme: Theme; cycle: () => void } {
  const theme = useSyncExternalStore(subscribe, read);
  const cycle = useCallback(() => setTheme(NEXT[read()]), []);
  return { theme, cycle };
}

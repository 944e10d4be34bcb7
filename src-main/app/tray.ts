/**
 * The Electron Tray around the menu model of services/health/tray-menu.ts: icon, tooltip and menu
 * are redrawn from the health summary whenever `health:changed` arrives or the panel's theme flips.
 */
import { Menu, Tray, nativeImage, nativeTheme } from 'electron';
import type { MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { HealthSummary } from '../shared/contract';
import type { EventBus } from '../services/events';
import { trayMenu } from '../services/health/tray-menu';
import type { TrayAction, TrayModel } from '../services/health/tray-menu';

export interface AppTrayOptions {
  /** resources/tray: tray-<colour>-<light|dark>.png with @2x beside each. */
  iconsDir: string;
  events: EventBus;
  summary: () => HealthSummary;
  /** Alerts raised in the last 24 hours, shown as a line of the menu. */
  alertsLastDay?: () => number;
  onAction: (action: TrayAction) => void;
}

/** Creates the tray; returns the function that removes it. */
export function createAppTray(o: AppTrayOptions): () => void {
  // Icons drawn for dark panels carry a light rim, and the other way round.
  const icon = (m: TrayModel) =>
    nativeImage.createFromPath(
      join(o.iconsDir, `tray-${m.colour}-${nativeTheme.shouldUseDarkColors ? 'dark' : 'light'}.png`),
    );
  const toTemplate = (m: TrayModel): MenuItemConstructorOptions[] =>
    m.items.map((item) =>
      item.type === 'separator'
        ? { type: 'separator' }
        : item.type === 'label'
          ? { label: item.label, enabled: false }
          : { label: item.label, click: () => o.onAction(item.action) },
    );
  const model = (): TrayModel =>
    trayMenu(o.summary(), o.alertsLastDay ? { alertsLastDay: o.alertsLastDay() } : {});
  const first = model();
  const tray = new Tray(icon(first));
  const draw = (): void => {
    const m = model();
    tray.setImage(icon(m));
    tray.setToolTip(m.tooltip);
    tray.setContextMenu(Menu.buildFromTemplate(toTemplate(m)));
  };
  draw();
  const unsubscribe = o.events.subscribe((event) => {
    if (event === 'health:changed' || event === 'alerts:raised') draw();
  });
  nativeTheme.on('updated', draw);
  return () => {
    unsubscribe();
    nativeTheme.off('updated', draw);
    tray.destroy();
  };
}

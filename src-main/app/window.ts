/**
 * The app's windows: created with every web preference locked down, tracked so IPC can tell its own
 * frames from anything else that might send to it.
 */
import { BrowserWindow, nativeTheme, type WebFrameMain } from 'electron';
import { pathToFileURL } from 'node:url';

export interface RendererLocation {
  /** The electron-vite dev server URL in development. */
  devUrl?: string | undefined;
  /** out/renderer/index.html in a build. */
  indexFile: string;
}

export class AppWindows {
  private readonly windows = new Set<BrowserWindow>();

  constructor(
    private readonly preloadPath: string,
    private readonly renderer: RendererLocation,
  ) {}

  /** The URL prefix every trusted frame's document starts with. */
  get appUrl(): string {
    return this.renderer.devUrl ?? pathToFileURL(this.renderer.indexFile).href;
  }

  open(): BrowserWindow {
    const win = new BrowserWindow({
      width: 1280,
      height: 800,
      minWidth: 880,
      minHeight: 520,
      show: false,
      title: 'MCP Fleet',
      // The page's own background, so the window does not flash another colour while it loads.
      backgroundColor: nativeTheme.shouldUseDarkColors ? '#0f1114' : '#f5f6f8',
      webPreferences: {
        preload: this.preloadPath,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
      },
    });
    this.windows.add(win);
    win.on('closed', () => this.windows.delete(win));
    win.once('ready-to-show', () => win.show());
    if (this.renderer.devUrl) void win.loadURL(this.renderer.devUrl);
    else void win.loadFile(this.renderer.indexFile);
    return win;
  }

  all(): BrowserWindow[] {
    return [...this.windows].filter((win) => !win.isDestroyed());
  }

  /** True only for the top frame of one of our windows showing our own page. */
  isTrustedFrame(frame: WebFrameMain | null | undefined): boolean {
    if (!frame || frame.parent !== null) return false;
    const owner = this.all().find((win) => win.webContents.mainFrame === frame);
    return owner !== undefined && frame.url.startsWith(this.appUrl);
  }
}

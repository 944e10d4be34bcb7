/**
 * The app's windows: created with every web preference locked down, tracked so IPC can tell its own
 * frames from anything else that might send to it.
 */
import { BrowserWindow, nativeTheme, type WebFrameMain } from 'electron';
import { pathToFileURL } from 'node:url';
import { isTrustedFrame, type RendererLocation } from './frame-trust';

export type { RendererLocation } from './frame-trust';

export class AppWindows {
  private readonly windows = new Set<BrowserWindow>();

  constructor(
    private readonly preloadPath: string,
    private readonly renderer: RendererLocation,
  ) {}

  /** The URL that loads the app's page; append a `#/route` to open a screen. */
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
    // Not loadFile: it builds the URL with url.format, which leaves a literal "%41" or "%20" in the
    // install path unescaped, so Chromium would decode it and open another file. pathToFileURL escapes it.
    void win.loadURL(this.appUrl);
    return win;
  }

  all(): BrowserWindow[] {
    return [...this.windows].filter((win) => !win.isDestroyed());
  }

  /** True only for the top frame of one of our windows showing our own page. */
  isTrustedFrame(frame: WebFrameMain | null | undefined): boolean {
    if (!frame) return false;
    const facts = {
      url: frame.url,
      isTopFrame: frame.parent === null,
      inOwnWindow: this.all().some((win) => win.webContents.mainFrame === frame),
    };
    return isTrustedFrame(facts, this.renderer);
  }
}

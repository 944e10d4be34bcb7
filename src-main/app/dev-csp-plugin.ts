/**
 * A Vite plugin for `electron-vite dev` only: the dev server adds an inline script (the React refresh
 * preamble) that the strict `script-src 'self'` refuses, which left the window blank. This serves the
 * development policy instead, as a response header and in index.html's meta tag, allowing exactly that
 * script by its hash. Used by electron.vite.config.ts and the dev-server e2e spec; never bundled into the
 * app (main.ts's imports never reach it), and `apply: 'serve'` keeps it out of builds.
 */
import { createHash } from 'node:crypto';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { developmentContentSecurityPolicy, metaTagPolicy } from './csp';

/** A CSP hash source for an inline script's exact text. */
export function scriptHashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const META = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")/;
const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>/g;

/** The text of every inline (src-less) script in an HTML page. */
export function inlineScripts(html: string): string[] {
  return [...html.matchAll(SCRIPT)].filter((m) => !/\ssrc\s*=/.test(m[1] ?? '')).map((m) => m[2] ?? '');
}

export function devContentSecurityPolicy(): Plugin {
  let policy = '';
  let allowed = new Set<string>();
  return {
    name: 'mcp-fleet:dev-content-security-policy',
    apply: 'serve',
    configResolved(config) {
      // The preamble is a constant the React plugin exports; only its base path varies. The transform
      // below checks the page really carries no other inline script, so a plugin upgrade that changes
      // what it injects fails loudly here instead of as a blank window.
      const preamble = react.preambleCode.replace('__BASE__', config.base);
      allowed = new Set([scriptHashSource(preamble)]);
      policy = developmentContentSecurityPolicy([...allowed]);
    },
    configureServer(server) {
      server.middlewares.use((_req, res, next) => {
        res.setHeader('Content-Security-Policy', policy);
        next();
      });
    },
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const unknown = inlineScripts(html)
          .map(scriptHashSource)
          .filter((hash) => !allowed.has(hash));
        if (unknown.length > 0) {
          throw new Error(
            `index.html carries inline scripts the development CSP does not allow (${unknown.join(', ')}): ` +
              'the React plugin changed its preamble; update src-main/app/dev-csp-plugin.ts',
          );
        }
        if (!META.test(html)) throw new Error('index.html has no Content-Security-Policy meta tag');
        return html.replace(META, (_all, open: string, _old: string, close: string) => {
          return `${open}${metaTagPolicy(policy)}${close}`;
        });
      },
    },
  };
}

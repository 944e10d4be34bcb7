import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { devContentSecurityPolicy } from './src-main/app/dev-csp-plugin';

const root = import.meta.dirname;

// Native addons and their optional helpers load from node_modules at run time; bundling them breaks
// their .node bindings.
const nativeExternals = ['better-sqlite3-multiple-ciphers', 'ssh2', 'dockerode', 'cpu-features'];

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      lib: { entry: resolve(root, 'src-main/app/main.ts'), formats: ['es'] },
      rolldownOptions: { external: nativeExternals, output: { entryFileNames: 'index.js' } },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // A sandboxed preload cannot require anything but a few Electron modules: bundle zod and the
      // contract into one CommonJS file.
      externalizeDeps: false,
      lib: { entry: resolve(root, 'src-main/preload/index.ts'), formats: ['cjs'] },
      rolldownOptions: { output: { entryFileNames: 'index.cjs' } },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    // The dev server's inline React refresh preamble needs the development CSP (serve only).
    plugins: [react(), devContentSecurityPolicy()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // Web mode serves these files over HTTP; the minified bundle loads faster there and in Electron.
      minify: true,
      rolldownOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
  },
});

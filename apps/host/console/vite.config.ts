import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console is bundled at build time into plain files that the host serves from `dist/console`.
// Preact's automatic JSX runtime through Vite's own transformer (no babel preset needed).
const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});

/**
 * The web console's build (`npm run build:console`, scripts/build-console.ts): two pages, the
 * console (index.html) and the API explorer (graphiql.html), with content-hashed assets under
 * `assets/` that Gantry serves with a year's cache (server/console.ts). `npx vite --config
 * console/vite.config.ts` serves it with hot reload, the API proxied to a Gantry on port 4000.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  // The build must not depend on where it runs: no machine paths in the output.
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    // GraphiQL (its own page) is large; the console's pages are measured by test/console/bundle-size.test.ts.
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: { index: `${root}index.html`, graphiql: `${root}graphiql.html` },
      // React is all the two pages share: its own chunk, so the console never loads GraphiQL's code.
      output: { manualChunks: (id) => (/[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/.test(id) ? 'react' : undefined) },
    },
  },
  server: { proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } } },
});

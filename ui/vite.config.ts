import { defineConfig } from 'vite';

// The development server forwards API calls to a Kraken server on this machine
// (KRAKEN_URL, default http://127.0.0.1:8080); the production build is plain files
// that the Kraken server serves itself.
const target = process.env.KRAKEN_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/api': { target, changeOrigin: false } } },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

// Separate from vite.config.ts, whose root is web/: tests live in tests/web/.
export default defineConfig({
  root: '.',
  plugins: [preact()],
  resolve: {
    alias: { '@gpuplan/wasm': fileURLToPath(new URL('./build/wasm', import.meta.url)) },
  },
  test: {
    include: ['tests/web/**/*.test.ts', 'tests/web/**/*.test.tsx'],
    setupFiles: ['tests/web/setup-catalogs.ts'],
    environment: 'node',
  },
});

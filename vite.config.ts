import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';

const webRoot = fileURLToPath(new URL('./web/', import.meta.url));

// The pages' Content-Security-Policy allows styles from the site's own files
// only. The dev server injects every imported CSS file as a <style> element,
// so it serves the pages with 'unsafe-inline' added to style-src. Built pages
// keep the policy as written.
function allowInlineStylesInDev(): Plugin {
  return {
    name: 'gpuplan:dev-inline-styles',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
    },
  };
}

// Static site: base './' makes every asset URL relative, so dist/ works when
// served from any sub-path (GitHub Pages serves it under /<repository>/).
export default defineConfig({
  root: webRoot,
  base: './',
  plugins: [preact(), allowInlineStylesInDev()],
  resolve: {
    // build/wasm/ contains the Emscripten output of tools/build-wasm.sh.
    alias: { '@gpuplan/wasm': fileURLToPath(new URL('./build/wasm', import.meta.url)) },
  },
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every target browser of es2022 supports modulepreload, so the polyfill would only add bytes.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./web/index.html', import.meta.url)),
        embed: fileURLToPath(new URL('./web/embed.html', import.meta.url)),
      },
    },
  },
});

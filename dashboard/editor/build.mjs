// Builds ../static/editor.js, the Hooks page's code editor, from src/editor.js
// and the packages package-lock.json pins: one minified ES module, which the
// Go binary embeds with the rest of ../static. Run `npm ci && npm run build`
// in this directory after changing src/ or the packages, and commit the
// bundle with them; `go build` itself needs no npm.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const lock = JSON.parse(readFileSync(new URL('./package-lock.json', import.meta.url)));
const bundled = Object.entries(lock.packages)
  .filter(([path, p]) => path.startsWith('node_modules/') && !p.dev)
  .map(([path, p]) => path.slice('node_modules/'.length) + '@' + p.version + ' (' + (p.license || 'see its package') + ')')
  .sort();

// style-mod, which CodeMirror puts its styles through, adopts a constructed
// style sheet only into shadow roots and gives a document a <style> element,
// which the page's Content-Security-Policy (style-src 'self') blocks. This
// plugin makes it adopt a constructed sheet into the document too (where the
// browser supports it), which CSP allows.
const adoptIntoDocument = {
  name: 'adopt-into-document',
  setup(b) {
    b.onLoad({ filter: /style-mod[\\/]src[\\/]style-mod\.js$/ }, async (args) => {
      const src = await readFile(args.path, 'utf8');
      const from = 'if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {';
      if (!src.includes(from)) throw new Error('style-mod changed: update the adopt-into-document plugin in build.mjs');
      return { contents: src.replace(from, 'if (root.adoptedStyleSheets && win.CSSStyleSheet) {'), loader: 'js' };
    });
  },
};

await build({
  plugins: [adoptIntoDocument],
  entryPoints: [new URL('./src/editor.js', import.meta.url).pathname],
  outfile: new URL('../static/editor.js', import.meta.url).pathname,
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['es2020'],
  legalComments: 'none',
  banner: {
    js: '/* The Hooks page\'s code editor, built by dashboard/editor/build.mjs from: ' + bundled.join(', ') +
      '. Their licenses: each package\'s LICENSE file in node_modules. */',
  },
  logLevel: 'info',
});

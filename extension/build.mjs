// `npm run build` (also `npm install`'s prepare step): esbuild bundles and runtime assets into dist/.
//   dist/extension.js     extension host (Node, CommonJS, `vscode` external)
//   dist/ghnWorker.js     the GHN worker thread (Node, CommonJS)
//   dist/cli.js           the `ghn-lens` CLI (bin/ghn-lens.js runs it)
//   dist/webview.js       the Architecture panel (browser, IIFE), and dist/layoutWorker.js, when present
//   dist/*.wasm           tree-sitter + Python grammar, tfjs wasm backends; dist/panel.css; dist/codicons/
// Options: --watch, --minify (the .vsix build), --sourcemap.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const args = new Set(process.argv.slice(2));
const watch = args.has('--watch');
const minify = args.has('--minify');
const sourcemap = args.has('--sourcemap') || (!minify && 'linked');

// In development the pipeline finds tree-sitter's grammar in node_modules (require.resolve); in the bundle
// (the .vsix has no node_modules) that file sits next to the bundle, copied by copyAssets().
const bundledAssetsPlugin = {
  name: 'bundled-assets',
  setup(build) {
    build.onLoad({ filter: /[\\/]extension[\\/]pipeline[\\/].*\.ts$/ }, async (a) => {
      const src = await readFile(a.path, 'utf8');
      const re = /require\.resolve\((['"])@vscode\/tree-sitter-wasm\/wasm\/([\w.-]+\.wasm)\1\)/g;
      if (!re.test(src)) return undefined;
      return { loader: 'ts', contents: src.replace(re, (_m, _q, f) => `require('node:path').join(__dirname, ${JSON.stringify(f)})`) };
    });
  },
};

const node = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify, sourcemap,
  external: ['vscode'], logLevel: 'warning', plugins: [bundledAssetsPlugin],
  // tfjs probes for these optional Node modules; they are not used.
  define: { 'process.env.NODE_ENV': '"production"' },
};
const browser = { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify, sourcemap, logLevel: 'warning' };

const entries = [
  { ...node, entryPoints: [join(root, 'extension/host/extension.ts')], outfile: join(dist, 'extension.js') },
  { ...node, entryPoints: [join(root, 'extension/host/ghnWorker.ts')], outfile: join(dist, 'ghnWorker.js') },
  { ...node, entryPoints: [join(root, 'extension/cli/main.ts')], outfile: join(dist, 'cli.js'),
    // dist/cli.js runs main() itself: bin/ghn-lens.js only requires it.
    footer: { js: 'if (require.main === module || process.env.GHN_LENS_CLI_MAIN === "1") module.exports.main(process.argv.slice(2)).then((c) => { process.exitCode = c; });' } },
];
for (const [src, out] of [['webview/main.ts', 'webview.js'], ['webview/layoutWorker.ts', 'layoutWorker.js']]) {
  if (existsSync(join(root, src))) entries.push({ ...browser, entryPoints: [join(root, src)], outfile: join(dist, out) });
}

function copyAssets() {
  const copies = [];
  const ts = join(root, 'node_modules/@vscode/tree-sitter-wasm/wasm');
  copies.push([join(ts, 'tree-sitter.wasm'), 'tree-sitter.wasm'], [join(ts, 'tree-sitter-python.wasm'), 'tree-sitter-python.wasm']);
  const tf = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of readdirSync(tf)) if (/^tfjs-backend-wasm.*\.wasm$/.test(f)) copies.push([join(tf, f), f]);
  if (existsSync(join(root, 'media/panel.css'))) copies.push([join(root, 'media/panel.css'), 'panel.css']);
  const ci = join(root, 'node_modules/@vscode/codicons/dist');
  if (existsSync(ci)) copies.push([join(ci, 'codicon.css'), 'codicons/codicon.css'], [join(ci, 'codicon.ttf'), 'codicons/codicon.ttf']);
  for (const [from, to] of copies) {
    const dest = join(dist, to);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(from, dest);
  }
}

const started = Date.now();
if (!watch) rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
copyAssets();
if (watch) {
  const ctxs = await Promise.all(entries.map((e) => esbuild.context(e)));
  await Promise.all(ctxs.map((c) => c.watch()));
  console.log(`esbuild: watching ${entries.length} bundles (Ctrl+C to stop)`);
} else {
  await Promise.all(entries.map((e) => esbuild.build(e)));
  console.log(`build: ${entries.map((e) => relative(root, e.outfile)).join(', ')} + assets in ${Date.now() - started} ms${minify ? ' (minified)' : ''}`);
}

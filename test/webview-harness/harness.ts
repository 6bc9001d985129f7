/**
 * The standalone panel harness: builds the webview bundle and its layout worker with esbuild, serves
 * them with index.html (a fake `acquireVsCodeApi`, VS Code theme variables, the same CSP as the real
 * panel) over a local HTTP server, and opens it in headless Chromium with playwright-core.
 * Used by test/bench/panel.bench.ts and for screenshots while developing: `npx tsx test/webview-harness/shot.ts`.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ArchGraphJson, HostMessage } from '../../extension/protocol/panel';

// Page-side code in page.evaluate runs in the browser; the Node tsconfig has no DOM lib.
declare const window: any;
declare const document: any;
declare function requestAnimationFrame(cb: () => void): number;


const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

export async function buildHarness(outDir = join(root, '.cache/webview-harness')): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { webview: join(root, 'webview/main.ts'), layoutWorker: join(root, 'webview/layoutWorker.ts') },
    outdir: outDir, bundle: true, format: 'iife', platform: 'browser', target: 'es2022', minify: true, sourcemap: false, logLevel: 'warning',
  });
  copyFileSync(join(root, 'media/panel.css'), join(outDir, 'panel.css'));
  copyFileSync(join(here, 'themes.css'), join(outDir, 'themes.css'));
  copyFileSync(join(here, 'fakeApi.js'), join(outDir, 'fakeApi.js'));
  const csp = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; worker-src 'self' blob:; connect-src 'self';";
  writeFileSync(join(outDir, 'index.html'), `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="themes.css"><link rel="stylesheet" href="panel.css">
<title>GHN Lens panel harness</title></head>
<body class="vscode-dark" data-vscode-theme-kind="vscode-dark" data-worker-uri="layoutWorker.js">
<script src="fakeApi.js"></script><script src="webview.js"></script>
</body></html>`);
  return outDir;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = join(dir, decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/^\/$/, '/index.html'));
    if (!path.startsWith(dir)) { res.writeHead(403).end(); return; }
    try {
      const body = readFileSync(path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    ok({ url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`, server });
  }));
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function openPanel(browser: Browser, url: string, opts: { width?: number; height?: number; theme?: 'dark' | 'light' } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 } });
  page.on('pageerror', (e) => console.error('[panel error]', e.message));
  // tsx compiles the functions passed to page.evaluate with esbuild's keepNames helper `__name`.
  await page.addInitScript('window.__name = (f) => f;');
  await page.goto(url);
  if (opts.theme === 'light') {
    await page.evaluate(() => { document.body.className = 'vscode-light'; document.body.dataset.vscodeThemeKind = 'vscode-light'; });
  }
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  return page;
}

/** Post a host message to the panel; for a graph, resolves when its first frame was drawn, with the time from posting (ms). */
export async function postToPanel(page: Page, msg: HostMessage): Promise<number> {
  await page.evaluate((m) => { (window as unknown as { __msg: unknown }).__msg = m; }, msg as unknown as Record<string, unknown>);
  const t = await page.evaluate(() => new Promise<number>((ok) => {
    const w = window as unknown as { __msg: HostMessage; ghnPanel: { graphSeq: number; drawnGraphSeq: number; lastFrameAt: number } };
    const t0 = performance.now();
    const isGraph = w.__msg.type === 'graph';
    const target = w.ghnPanel.graphSeq + 1;
    window.postMessage(w.__msg, '*');
    if (!isGraph) { ok(0); return; }
    const poll = (): void => {
      if (w.ghnPanel.drawnGraphSeq === target) ok(w.ghnPanel.lastFrameAt - t0);
      else requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  }));
  return t;
}

export function graphMessage(graph: ArchGraphJson, document = '/synthetic/model.py'): HostMessage {
  return { type: 'graph', graph, document, keepViewport: false, entries: [{ name: graph.modelType, expr: graph.entry }], entry: graph.entry };
}

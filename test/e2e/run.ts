/**
 * The E2E suite in a real VS Code: installs code-server + Node 24 into .cache/e2e (once), packages the
 * .vsix (`npm run package`; the suite installs exactly that file), then for Restricted Mode and for a
 * trusted workspace starts code-server on a fresh copy of examples/ and runs every scenario in
 * test/e2e/scenarios/*.ts in headless Chromium (Debian's). Screenshots and logs: test-artifacts/e2e/.
 *
 *   npm run test:e2e [-- NAME...] [--mode restricted|trusted] [--no-package]
 *
 * Last line: `E2E: N passed, M failed`; exit code 1 on any failure.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { packageVsix } from '../../bin/package.mjs';
import { ensureTools, installVsix, profile, ROOT, startServer, type Server } from '../../bin/vscode-server.mjs';
import type { CliResult, E2EContext, Scenario } from './context';

const CHROMIUM = process.env.GHN_LENS_CHROMIUM ?? '/usr/bin/chromium';
const SCENARIO_TIMEOUT_MS = 180_000;
const ARTIFACTS = join(ROOT, 'test-artifacts', 'e2e');

type Mode = 'restricted' | 'trusted';

const argv = process.argv.slice(2);
const onlyModes = argv.includes('--mode') ? [argv[argv.indexOf('--mode') + 1] as Mode] : (['restricted', 'trusted'] as Mode[]);
const names = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--mode');
const skipPackage = argv.includes('--no-package');

const started = Date.now();
const logLines: string[] = [];
function log(msg: string): void {
  const line = `[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}`;
  console.log(line);
  logLines.push(line);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<T>((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms / 1000} s`)), ms); })]).finally(() => clearTimeout(t));
}

async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
}

/** Moves keyboard focus out of whatever iframe holds it, back to the workbench document (evaluated in the page). */
const BLUR = 'document.activeElement && document.activeElement.blur && document.activeElement.blur()';

/**
 * Opens a quick input (Quick Open, the command palette) with a key chord. Keyboard focus may be inside a
 * webview's iframe (the panel, a markdown preview), where the workbench's keybindings do not fire: give the
 * focus back to the workbench document first, and retry.
 */
async function openQuickInput(page: Page, chord: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 0; ; attempt++) {
    await page.evaluate(BLUR);
    await page.keyboard.press(chord);
    try {
      await input.waitFor({ timeout: 5_000 });
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
      await page.keyboard.press('Escape');
      await page.locator('.part.statusbar').click({ position: { x: 2, y: 2 } }).catch(() => undefined);
    }
  }
}

function makeContext(page: Page, mode: Mode, workspace: string, artifacts: string): E2EContext {
  let shot = 0;
  const ctx: E2EContext = {
    page,
    trusted: mode === 'trusted',
    workspace,
    artifacts,
    log: (m) => log(`  ${m}`),
    async screenshot(name) {
      const file = join(artifacts, `${String(++shot).padStart(2, '0')}-${name.replace(/[^\w.-]+/g, '_')}.png`);
      await page.screenshot({ path: file });
      ctx.log(`screenshot ${file.slice(ROOT.length + 1)}`);
      return file;
    },
    async openFile(name) {
      await openQuickInput(page, 'Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.fill(name);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: basename(name) }).first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab.active', { hasText: basename(name) }).waitFor({ timeout: 30_000 });
      await page.locator('.monaco-editor .view-lines').first().waitFor();
    },
    async runCommand(title) {
      await openQuickInput(page, 'Control+Shift+P');
      const input = page.locator('.quick-input-widget input');
      await input.fill(`>${title}`);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
    },
    panelFrame() {
      return page.locator('iframe.webview.ready[src*="extensionId=ghn-lens.ghn-lens"]').filter({ visible: true }).first()
        .contentFrame().locator('#active-frame').contentFrame();
    },
    async waitForCodeLens(text) {
      const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: text }).filter({ visible: true }).first();
      await lens.waitFor({ timeout: 60_000 });
      return lens;
    },
    cli(args) {
      return new Promise<CliResult>((resolve) => {
        const child = spawn(process.execPath, [join(ROOT, 'bin', 'ghn-lens.js'), ...args], { cwd: workspace });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => { stdout += d; });
        child.stderr.on('data', (d) => { stderr += d; });
        child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });
    },
  };
  return ctx;
}

async function loadScenarios(): Promise<{ name: string; scenario: Scenario }[]> {
  const dir = join(ROOT, 'test', 'e2e', 'scenarios');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()
    .filter((f) => names.length === 0 || names.some((n) => f.includes(n)));
  const out = [];
  for (const f of files) out.push({ name: f.replace(/\.ts$/, ''), scenario: (await import(pathToFileURL(join(dir, f)).href)) as Scenario });
  return out;
}

/**
 * One E2E run at a time per checkout: runs share dist/, the .vsix and the artifacts folder. A second run
 * waits for the first (a lock file holding the pid; a dead holder's lock is taken over).
 */
async function takeLock(): Promise<() => void> {
  const lock = join(ROOT, '.cache', 'e2e', 'run.lock');
  mkdirSync(dirname(lock), { recursive: true });
  for (let waited = 0; ; waited++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      const release = () => { try { if (readFileSync(lock, 'utf8') === String(process.pid)) rmSync(lock); } catch { /* gone */ } };
      process.on('exit', release);
      return release;
    } catch {
      const holder = Number(readText(lock));
      let alive = false;
      try { process.kill(holder, 0); alive = holder > 0; } catch { /* dead */ }
      if (!alive) { rmSync(lock, { force: true }); continue; }
      if (waited % 30 === 0) log(`waiting for another E2E run (pid ${holder}) to finish ...`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function main(): Promise<number> {
  const release = await takeLock();
  try {
    return await runAll();
  } finally {
    release();
  }
}

async function runAll(): Promise<number> {
  // Only this run's folders are cleared (another run of a single scenario may be writing beside them).
  mkdirSync(ARTIFACTS, { recursive: true });
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  let t = Date.now();
  const tools = ensureTools(log);
  log(`tools ready (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  t = Date.now();
  const vsix = skipPackage && existsSync(join(ROOT, 'ghn-lens-0.1.0.vsix')) ? join(ROOT, 'ghn-lens-0.1.0.vsix') : packageVsix({ quiet: true });
  log(`packaged ${basename(vsix)}: ${(statSync(vsix).size / 1024 / 1024).toFixed(2)} MiB (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  // The .vsix bundles the trained GHN from media/ghn/. Until one is there, the suite points GHN Lens (user
  // settings) at the GHN-2 reference weights in ../shared (a random initialisation: it exercises the whole
  // prediction path, not the quality of the predictions).
  const bundled = existsSync(join(ROOT, 'media', 'ghn')) && readdirSync(join(ROOT, 'media', 'ghn')).some((f) => f.endsWith('.safetensors'));
  const reference = join(ROOT, '..', 'shared', 'ghn2-reference', 'ghn2_cifar10_seed0.safetensors');
  const fallbackCheckpoint = !bundled && existsSync(reference) ? reference : undefined;
  log(bundled ? 'GHN: the checkpoint bundled in the .vsix' : fallbackCheckpoint ? `GHN: no checkpoint bundled; using ${fallbackCheckpoint} (random-init reference weights)` : 'GHN: no checkpoint at all');
  const scenarios = await loadScenarios();
  log(`scenarios: ${scenarios.map((s) => s.name).join(', ')}`);

  let passed = 0;
  let failed = 0;
  const failures: string[] = [];
  const runRoot = join(tmpdir(), `ghn-lens-e2e-${process.pid}`);
  for (const mode of onlyModes) {
    const modeDir = join(runRoot, mode);
    const workspace = join(modeDir, 'examples');
    cpSync(process.env.GHN_LENS_E2E_EXAMPLES ?? join(ROOT, 'examples'), workspace, { recursive: true, filter: (s) => !/__pycache__|\.safetensors$/.test(s) });
    const prof = profile(join(modeDir, 'profile'));
    if (fallbackCheckpoint) {
      // A machine-overridable setting: code-server (a remote) reads it from the Machine settings.
      mkdirSync(join(prof.user, 'Machine'), { recursive: true });
      writeFileSync(join(prof.user, 'Machine', 'settings.json'), JSON.stringify({ 'ghnLens.ghnCheckpoint': fallbackCheckpoint }, null, 2));
    }
    t = Date.now();
    installVsix(tools, prof, vsix);
    log(`[${mode}] installed the .vsix (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    const serverLog = join(modeDir, 'code-server.log');
    let server: Server | undefined;
    let browser: BrowserContext | undefined;
    try {
      server = await startServer(tools, prof, { port: await freePort(), workspace, trusted: mode === 'trusted', logFile: serverLog });
      log(`[${mode}] code-server at ${server.url}`);
      browser = await chromium.launchPersistentContext(join(modeDir, 'chromium'), {
        executablePath: CHROMIUM, headless: true, viewport: { width: 1440, height: 900 },
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      const page = browser.pages()[0] ?? await browser.newPage();
      t = Date.now();
      await page.goto(server.folderUrl);
      await waitForWorkbench(page);
      log(`[${mode}] workbench ready (${((Date.now() - t) / 1000).toFixed(1)} s)`);
      for (const { name, scenario } of scenarios) {
        if (scenario.modes && !scenario.modes.includes(mode)) continue;
        const artifacts = join(ARTIFACTS, mode, name);
        rmSync(artifacts, { recursive: true, force: true });
        mkdirSync(artifacts, { recursive: true });
        const ctx = makeContext(page, mode, workspace, artifacts);
        const s0 = Date.now();
        log(`[${mode}] ${name} ...`);
        try {
          await withTimeout(scenario.run(ctx), SCENARIO_TIMEOUT_MS, name);
          passed++;
          log(`[${mode}] ${name}: passed (${((Date.now() - s0) / 1000).toFixed(1)} s)`);
        } catch (e) {
          failed++;
          const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
          failures.push(`[${mode}] ${name}: ${msg.split('\n')[0]}`);
          log(`[${mode}] ${name}: FAILED (${((Date.now() - s0) / 1000).toFixed(1)} s)\n${msg}`);
          await ctx.screenshot('failure').catch(() => undefined);
        }
        // Leave a clean workbench for the next scenario.
        await page.keyboard.press('Escape').catch(() => undefined);
        await ctx.runCommand('View: Close All Editors').catch(() => undefined);
        await page.waitForTimeout(300);
      }
    } catch (e) {
      failed++;
      const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
      failures.push(`[${mode}] set-up: ${msg.split('\n')[0]}`);
      log(`[${mode}] set-up FAILED: ${msg}`);
    } finally {
      await browser?.close().catch(() => undefined);
      server?.stop();
      if (existsSync(serverLog)) copyFileSync(serverLog, join(ARTIFACTS, `${mode}-code-server.log`));
      const exthost = findFiles(join(prof.user, 'logs'), /GHN Lens\.log$|exthost\d*\.log$/);
      for (const f of exthost) appendFileSync(join(ARTIFACTS, `${mode}-extension-logs.txt`), `==> ${f}\n${readText(f)}\n`);
    }
  }
  rmSync(runRoot, { recursive: true, force: true });
  if (failures.length) log(`failures:\n  ${failures.join('\n  ')}`);
  log(`artifacts in ${ARTIFACTS.slice(ROOT.length + 1)}/; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  writeFileSync(join(ARTIFACTS, 'e2e.log'), logLines.join('\n') + '\n');
  console.log(`E2E: ${passed} passed, ${failed} failed`);
  return failed || passed === 0 ? 1 : 0;
}

function findFiles(dir: string, re: RegExp): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findFiles(p, re));
    else if (re.test(e.name)) out.push(p);
  }
  return out;
}

function readText(f: string): string {
  try { return readFileSync(f, 'utf8'); } catch { return ''; }
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  console.log('E2E: 0 passed, 1 failed');
  process.exit(1);
});

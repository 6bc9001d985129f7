// `npm start`: from a fresh clone, set everything up and serve a real VS Code (code-server) with GHN Lens
// installed, on the bundled examples/ workspace, at http://127.0.0.1:PORT (local only, trusted workspace).
//   npm start [-- --port 8765] [--workspace DIR]
// Steps: npm ci (if node_modules is missing) → build + package the .vsix → install code-server and Node 24
// into .cache/e2e (first time only, a few minutes) → install the .vsix → serve. Ctrl+C stops everything.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT, CACHE } from './vscode-server.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const port = Number(opt('--port', process.env.PORT ?? '8765'));
const workspace = resolve(opt('--workspace', join(ROOT, 'examples')));

const step = (m) => console.log(`\n▶ ${m}`);
if (!existsSync(join(ROOT, 'node_modules', 'esbuild'))) {
  step('npm ci');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// Imported only now: they need node_modules.
const { packageVsix } = await import('./package.mjs');
const { ensureTools, installVsix, profile, startServer } = await import('./vscode-server.mjs');

step('build and package the extension');
const vsix = packageVsix({ quiet: true });
console.log(`  ${vsix}`);
step('code-server and Node 24 (cached in .cache/e2e)');
const tools = ensureTools();
const prof = profile(join(CACHE, 'start-profile'));
mkdirSync(prof.dir, { recursive: true });
step('install the .vsix into code-server');
installVsix(tools, prof, vsix);
step(`serve ${workspace}`);
const server = await startServer(tools, prof, { port, workspace, trusted: true, logFile: join(prof.dir, 'code-server.log') });
console.log(`\nGHN Lens is running in VS Code at:\n\n    ${server.folderUrl}\n\nOpen a model file (e.g. one under examples/) and look above its classes for the CodeLens.\nLogs: ${join(prof.dir, 'code-server.log')}. Press Ctrl+C to stop.`);
const stop = () => { server.stop(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.on('exit', (code) => { console.log(`code-server exited (${code})`); process.exit(code ?? 1); });

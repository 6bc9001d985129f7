// `npm run package`: a minified build, then `vsce package --no-dependencies` (everything the extension
// needs at run time is in dist/ and media/; see .vscodeignore). Prints the .vsix path and size.
// Exported for the E2E runner and `npm start`.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './vscode-server.mjs';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
  return r;
}

/** Builds and packages; returns the .vsix path. */
export function packageVsix({ quiet = false } = {}) {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const vsix = join(ROOT, `${pkg.name}-${pkg.version}.vsix`);
  const stdio = quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit';
  run(process.execPath, [join(ROOT, 'extension/build.mjs'), '--minify'], { stdio });
  run(process.execPath, [join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix], { stdio });
  return vsix;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const vsix = packageVsix();
  const size = statSync(vsix).size;
  const listed = spawnSync(process.execPath, [join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status === 0) console.log(`contents:\n${listed.stdout.trim().split('\n').map((l) => `  ${l}`).join('\n')}`);
  console.log(`package: ${vsix} — ${(size / 1024 / 1024).toFixed(2)} MiB (${size} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// `npm test`: typecheck, lint, unit tests (mocha), the Python tests under training/ (trainer and metric heads),
// and the E2E suite in a real VS Code. Every stage runs even if an earlier one failed. The last line is
// `N passed, N failed` over all tests (mocha's, unittest's and the E2E's counts; typecheck and lint count
// as one each), and the exit code is non-zero if any stage failed.
//   npm test [-- --skip-e2e]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './vscode-server.mjs';

const skipE2E = process.argv.includes('--skip-e2e') || process.env.GHN_LENS_SKIP_E2E === '1';
const stages = [
  ['typecheck', 'npm', ['run', '-s', 'typecheck']],
  ['lint', 'npm', ['run', '-s', 'lint']],
  ['unit', 'npx', ['mocha']],
];
if (existsSync(join(ROOT, 'training', 'tests'))) stages.push(['python', '/usr/bin/python3', ['-m', 'unittest', 'discover', '-s', 'training', '-t', '.']]);
if (!skipE2E) stages.push(['e2e', 'npm', ['run', '-s', 'test:e2e']]);

/** Runs a stage, echoing its output, and returns its exit code and output. */
function runStage(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

/** Test counts from a runner's summary; a stage without one counts as one test. */
export function counts(name, code, out) {
  const last = (re) => { const all = [...out.matchAll(re)]; return all.length ? all[all.length - 1] : undefined; };
  if (name === 'unit') {
    const p = last(/^\s*(\d+) passing/gm);
    const f = last(/^\s*(\d+) failing/gm);
    if (p || f) return { passed: Number(p?.[1] ?? 0), failed: Number(f?.[1] ?? 0) + (code !== 0 && !f ? 1 : 0) };
  } else if (name === 'python') {
    const ran = last(/^Ran (\d+) tests?/gm);
    const bad = last(/^FAILED \((.*)\)/gm);
    if (ran) {
      const n = bad ? [...bad[1].matchAll(/(?:failures|errors)=(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0) : 0;
      return { passed: Number(ran[1]) - n, failed: n + (code !== 0 && n === 0 ? 1 : 0) };
    }
  } else if (name === 'e2e') {
    const m = last(/^E2E: (\d+) passed, (\d+) failed/gm);
    if (m) return { passed: Number(m[1]), failed: Number(m[2]) + (code !== 0 && Number(m[2]) === 0 ? 1 : 0) };
  }
  return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
}

const results = [];
for (const [name, cmd, args] of stages) {
  console.log(`\n===== ${name}: ${cmd} ${args.join(' ')} =====`);
  const t = Date.now();
  const r = await runStage(cmd, args);
  results.push({ name, ok: r.code === 0, s: (Date.now() - t) / 1000, ...counts(name, r.code, r.out) });
}
console.log('\n===== summary =====');
for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(10)} ${String(r.passed).padStart(4)} passed, ${r.failed} failed (${r.s.toFixed(0)} s)`);
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
const anyFailed = results.some((r) => !r.ok);
console.log(`${passed} passed, ${failed + (anyFailed && failed === 0 ? 1 : 0)} failed`);
process.exit(anyFailed ? 1 : 0);

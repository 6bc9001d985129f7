/**
 * Fuzz: a thousand mutated versions of the example models (lines deleted or swapped, truncated, tokens
 * swapped or duplicated, numbers changed, garbage inserted, brackets unbalanced). For each mutant,
 * findModelEntries and buildArchGraph of its first entry must return (never throw) within one second.
 * The mutants are built in a child process (fuzz-worker.ts) with a 1.5 GB heap, so one that exhausts
 * memory or never finishes fails its case instead of killing or stalling the test run.
 *
 *   FUZZ_N=5000 npm run test:fuzz     more mutants
 *   FUZZ_BASE=100000 npm run test:fuzz   other seeds (the default first seed is 0x6e4c)
 *   FUZZ_SEED=123 npm run test:fuzz   one mutant, to reproduce a failure
 * Seeds that once failed are kept in test/corpus/fuzz-seeds.json and always run.
 * A failing mutant is written to test-artifacts/fuzz/<seed>.py.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPO } from './corpus';
import type { FuzzReply, FuzzRequest } from './fuzz-worker';
import { mutate } from './mutate';

const LIMIT_MS = 1000;
/** A mutant still running after this long is stopped (its process killed) and reported. */
const HARD_LIMIT_MS = 15_000;
const HEAP_MB = 1536;
const N = Number(process.env.FUZZ_N ?? 1000);
const BASE_SEED = Number(process.env.FUZZ_BASE ?? 0x6e4c);
const files = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.py')).sort();

/** The child process that builds mutants; restarted after a crash or a hang. */
class Builder {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;

  private start(): Promise<void> {
    const child = fork(join(__dirname, 'fuzz-worker.ts'), [], {
      execArgv: ['--import', 'tsx', `--max-old-space-size=${HEAP_MB}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      const onMsg = (m: { ready?: boolean }) => { if (m.ready) { child.off('message', onMsg); resolve(); } };
      child.on('message', onMsg);
      child.once('exit', (code) => reject(new Error(`fuzz worker exited (${code}) before it was ready`)));
    });
  }

  async run(seed: number): Promise<FuzzReply | { seed: number; dead: string }> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) this.ready = this.start();
    await this.ready;
    const child = this.child!;
    return new Promise((resolve) => {
      let stderr = '';
      const onErr = (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); };
      const done = (r: FuzzReply | { seed: number; dead: string }) => {
        clearTimeout(timer);
        child.off('message', onMsg);
        child.off('exit', onExit);
        child.stderr?.off('data', onErr);
        resolve(r);
      };
      const onMsg = (r: FuzzReply) => { if (r.seed === seed) done(r); };
      const onExit = (code: number | null, signal: string | null) => {
        this.child = undefined;
        const oom = /heap out of memory|Allocation failed/.test(stderr);
        done({ seed, dead: oom ? `ran out of memory (${HEAP_MB} MB heap)` : `crashed the process (exit ${code ?? signal})` });
      };
      const timer = setTimeout(() => {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        this.child = undefined;
        done({ seed, dead: `did not finish within ${HARD_LIMIT_MS} ms (stopped)` });
      }, HARD_LIMIT_MS);
      child.on('message', onMsg);
      child.once('exit', onExit);
      child.stderr?.on('data', onErr);
      child.send({ seed, limitMs: LIMIT_MS } satisfies FuzzRequest);
    });
  }

  stop(): void {
    this.child?.kill('SIGKILL');
  }
}

/** Why the mutant failed, or undefined. The failing mutant is written for reproduction. */
function verdict(r: FuzzReply | { seed: number; dead: string }): string | undefined {
  let why: string | undefined;
  if ('dead' in r) why = r.dead;
  else if (r.error) why = `${r.stage} threw ${r.error}`;
  else if (r.best > LIMIT_MS) why = `${r.stage} took ${r.ms.toFixed(0)} ms, best of 3 ${r.best.toFixed(0)} ms (limit ${LIMIT_MS} ms)`;
  if (!why) return undefined;
  const file = files[r.seed % files.length];
  const m = mutate(readFileSync(join(REPO, 'examples', file), 'utf8'), r.seed);
  const dir = join(REPO, 'test-artifacts', 'fuzz');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${r.seed}.py`), m.source);
  return `seed ${r.seed} (${file}: ${m.ops.join(', ')}): ${why}; mutant in test-artifacts/fuzz/${r.seed}.py`;
}

describe('fuzz: mutated example models never crash or hang the interpreter', function () {
  const regression: number[] = JSON.parse(readFileSync(join(REPO, 'test/corpus/fuzz-seeds.json'), 'utf8')).seeds;
  const builder = new Builder();

  after(() => builder.stop());

  it('replays the seeds that once failed', async function () {
    this.timeout(regression.length * (HARD_LIMIT_MS + 30_000) + 60_000);
    const failures: string[] = [];
    for (const seed of regression) {
      const f = verdict(await builder.run(seed));
      if (f) failures.push(f);
    }
    assert.deepEqual(failures, []);
  });

  it(`survives ${process.env.FUZZ_SEED ? `seed ${process.env.FUZZ_SEED}` : `${N} mutants`} of ${files.length} files, each within ${LIMIT_MS} ms`, async function () {
    this.timeout(Math.max(300_000, N * 2 * LIMIT_MS));
    const seeds = process.env.FUZZ_SEED ? [Number(process.env.FUZZ_SEED)] : Array.from({ length: N }, (_, i) => BASE_SEED + i);
    const t0 = performance.now();
    let slowest = 0;
    let slowSeed = -1;
    for (const seed of seeds) {
      const r = await builder.run(seed);
      if (!('dead' in r) && r.ms > slowest) { slowest = r.ms; slowSeed = seed; }
      // Fail on the first bad mutant, with its seed (FUZZ_SEED=... reproduces it).
      const f = verdict(r);
      if (f) assert.fail(f);
    }
    console.log(`    ${seeds.length} mutants in ${((performance.now() - t0) / 1000).toFixed(1)} s; slowest ${slowest.toFixed(0)} ms (seed ${slowSeed})`);
  });
});

/**
 * The bundled GHN end to end: `ghn-lens predict` (the built CLI, bin/ghn-lens.js → dist/cli.js) with no --ghn
 * uses media/ghn/ghn-lens-default.safetensors, and the exported weights, loaded into the PyTorch model with
 * load_state_dict(strict=True) by test/torch/score_exported.py, score clearly above chance (≥ 20 %, chance 10 %)
 * on the first 1000 Fashion-MNIST test images, BatchNorm on batch statistics. Control: the same model with
 * PyTorch's default init (seed 0) stays near chance. The scoring code is training/eval.py's (section 3).
 * Skipped without Debian's torch, the Fashion-MNIST package, the built CLI or the bundled checkpoint.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readSafetensors } from '../../../extension/pipeline/formats/safetensors';

const ROOT = resolve(__dirname, '..', '..', '..');
const PY = '/usr/bin/python3';
const CLI = join(ROOT, 'bin', 'ghn-lens.js');
const BUNDLED = join(ROOT, 'media', 'ghn', 'ghn-lens-default.safetensors');
const SCORER = join(ROOT, 'test', 'torch', 'score_exported.py');
const FASHION = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const IMAGES = 1000;
const MIN_ACC = 20;
const MAX_DEFAULT_ACC = 15;

/** Models the bundled GHN does well on, from the example workspace (measured with the step-2,317 GHN: 33.3 % / 31.0 %; step 2,829: 37.9 % / 40.8 %). */
const MODELS = [
  { name: 'ResCatCNN', file: join(ROOT, 'examples', 'fixture_models.py'), entry: 'ResCatCNN()' },
  { name: 'VGG11', file: join(ROOT, 'examples', 'vgg.py'), entry: "VGG('VGG11')" },
];

interface Score { name: string; acc?: number; default_acc?: number; params?: number; ghn?: string; error?: string }

function ready(): string | null {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) return 'dist/cli.js is not built';
  if (!existsSync(BUNDLED)) return 'no bundled checkpoint';
  if (!existsSync(FASHION)) return 'no Fashion-MNIST';
  if (!existsSync(PY) || spawnSync(PY, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status !== 0) return 'no torch';
  return null;
}

const sha256 = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('ghn: the bundled checkpoint predicts parameters that classify Fashion-MNIST', function () {
  this.timeout(300000);
  const dir = mkdtempSync(join(tmpdir(), 'ghn-bundled-'));
  const exported: { name: string; file: string; entry: string; safetensors: string }[] = [];
  let scores: Score[] = [];

  before(function () {
    const why = ready();
    if (why) {
      console.log(`      (skipped: ${why})`);
      this.skip();
    }
  });

  it('`ghn-lens predict` without --ghn uses media/ghn/ghn-lens-default.safetensors', function () {
    const sha = sha256(BUNDLED);
    for (const m of MODELS) {
      const out = join(dir, `${m.name}.safetensors`);
      // cwd outside the repository: the default is found next to the bundle, not through the working folder.
      const r = spawnSync(process.execPath, [CLI, 'predict', m.file, '--entry', m.entry, '--input', '1,3,32,32', '--out', out, '--json'],
        { cwd: dir, encoding: 'utf8', timeout: 120000 });
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(resolve(j.ghn), BUNDLED, `the CLI used ${j.ghn}`);
      assert.equal(sha256(j.ghn), sha);
      assert.equal(j.ghnConfig.num_classes, 10);
      assert.deepEqual(j.notPredicted, [], `${m.name}: every parameter is predicted`);
      const f = readSafetensors(out);
      assert.equal(f.metadata.ghn, 'ghn-lens-default.safetensors');
      assert.equal(f.metadata.generator, 'ghn-lens');
      exported.push({ ...m, safetensors: out });
    }
    this.test!.title += ` (sha256 ${sha.slice(0, 12)})`;
  });

  it(`the exported weights score ≥ ${MIN_ACC} % on ${IMAGES} Fashion-MNIST test images (chance 10 %); default init near chance`, function () {
    assert.equal(exported.length, MODELS.length, 'the CLI step failed');
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ images: IMAGES, seed: 0, models: exported }));
    const r = spawnSync(PY, [SCORER, spec], { encoding: 'utf8', timeout: 240000, env: { ...process.env, OMP_NUM_THREADS: '1' } });
    scores = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Score);
    assert.equal(scores.length, MODELS.length, `score_exported.py: ${r.stderr.slice(-2000)}`);
    const summary = scores.map((s) => (s.error ? `${s.name}: ${s.error}` : `${s.name} ${s.acc!.toFixed(1)} % (default init ${s.default_acc!.toFixed(1)} %)`)).join(', ');
    console.log(`      ${summary}`);
    this.test!.title += `: ${summary}`;
    for (const s of scores) {
      assert.ok(!s.error, `${s.name}: ${s.error}`);
      assert.equal(s.ghn, 'ghn-lens-default.safetensors');
      assert.ok(s.acc! >= MIN_ACC, `${s.name}: ${s.acc} % with the bundled GHN's parameters (need ≥ ${MIN_ACC} %)`);
      assert.ok(s.default_acc! <= MAX_DEFAULT_ACC, `${s.name}: default init ${s.default_acc} % is not near chance`);
      assert.ok(s.acc! >= s.default_acc! + 10, `${s.name}: predicted ${s.acc} % vs default ${s.default_acc} %`);
    }
  });
});

/** `ghn-lens predict` end to end: source → safetensors, text and --json output, and its errors. */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultGhnPath, run } from '../../../extension/cli/predict';
import { readSafetensors } from '../../../extension/pipeline/formats/safetensors';
import { haveFixtures, REF_DIR } from './helpers/fixtures';
import { interpreter } from './helpers/sourceModels';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const log = console.log, error = console.error;
  console.log = (...a: unknown[]) => { out.push(a.join(' ')); };
  console.error = (...a: unknown[]) => { err.push(a.join(' ')); };
  try {
    const code = await run(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('cli: ghn-lens predict', function () {
  this.timeout(120000);
  const dir = mkdtempSync(join(tmpdir(), 'ghn-cli-'));
  const py = join(REF_DIR, 'models', 'fixture_models.py');
  before(async function () {
    if (!haveFixtures() || !(await interpreter())) this.skip();
  });

  it('writes every state_dict key and prints a loading snippet', async () => {
    const out = join(dir, 'rescat.safetensors');
    const r = await capture([py, '--entry', 'ResCatCNN()', '--input', '1,3,32,32', '--ghn', join(REF_DIR, 'ghn2_cifar10_seed0.pt'), '--out', out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /28 tensors .*19 predicted/);
    assert.match(r.out, /from fixture_models import ResCatCNN\nmodel = ResCatCNN\(\); model\.load_state_dict\(st\.load_file\(".*rescat\.safetensors"\), strict=True\)/);
    const f = readSafetensors(out);
    assert.equal(f.tensors.size, 28);
    assert.equal(f.tensors.get('bn1.num_batches_tracked')!.dtype, 'I64');
    assert.equal(f.metadata.format, 'pt');
  });

  it('--json prints a machine summary', async () => {
    const out = join(dir, 'mlp.safetensors');
    const r = await capture([py, '--entry', 'MLP()', '--ghn', join(REF_DIR, 'ghn2_cifar10_seed0.safetensors'), '--out', out, '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.tensors, 8);
    assert.deepEqual(j.notPredicted, []);
    assert.deepEqual(j.ghnGraph, { nodes: 8, edges: 28 });
    assert.ok(existsSync(out));
  });

  it('explains how to pass --ghn when no default checkpoint is installed', async function () {
    if (defaultGhnPath()) this.skip();
    const r = await capture([py, '--entry', 'MLP()', '--out', join(dir, 'x.safetensors')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--ghn .*ghn2_cifar10_seed0\.safetensors/);
  });

  it('rejects a bad --input and a missing file', async () => {
    assert.equal((await capture([py, '--entry', 'MLP()', '--input', '1,x'])).code, 2);
    assert.equal((await capture(['/nonexistent.py', '--entry', 'MLP()'])).code, 2);
  });

  it('names the checkpoint when it is corrupt', async () => {
    await assert.rejects(capture([py, '--entry', 'MLP()', '--ghn', py, '--out', join(dir, 'y.safetensors')]), /fixture_models\.py: cannot load GHN checkpoint: unrecognised format/);
    assert.ok(!existsSync(join(dir, 'y.safetensors')));
  });
});

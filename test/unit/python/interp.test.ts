/**
 * The interpreter on small models, one construct each, and on three torchvision builders: state_dict
 * names and shapes, parameter counts and output shape must equal PyTorch's (one /usr/bin/python3 run).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildArchGraph } from '../../../extension/pipeline/python/index';
import { CASES, type UnitCase } from './cases';

const PYTHON = '/usr/bin/python3';
const DIST = '/usr/lib/python3/dist-packages';

interface Truth { stateDict: { name: string; shape: number[] }[]; totalParams: number; trainableParams: number; outputShape: number[] | null; error?: string }

const TV: UnitCase[] = [
  { id: 'tv_resnet18', entry: 'resnet18()', input: [1, 3, 224, 224], src: 'from torchvision.models import resnet18, vgg16_bn, mobilenet_v2\n' },
  { id: 'tv_vgg16_bn', entry: 'vgg16_bn(num_classes=10)', input: [1, 3, 224, 224], src: 'from torchvision.models import resnet18, vgg16_bn, mobilenet_v2\n' },
  { id: 'tv_mobilenet_v2', entry: 'mobilenet_v2(width_mult=0.5)', input: [1, 3, 96, 96], src: 'import torchvision\nfrom torchvision import models\nmobilenet_v2 = models.mobilenet_v2\n' },
];

describe('python interpreter vs PyTorch', function () {
  this.timeout(120000);
  const dir = mkdtempSync(join(tmpdir(), 'ghn-interp-'));
  const all = [...CASES, ...TV];
  const files = new Map<string, string>();
  for (const c of all) {
    const f = join(dir, `${c.id}.py`);
    writeFileSync(f, c.src);
    files.set(c.id, f);
  }
  let truth: Record<string, Truth> = {};

  before(function () {
    const r = spawnSync(PYTHON, [join(__dirname, 'torch_truth.py')], {
      input: JSON.stringify(all.map((c) => ({ id: c.id, file: files.get(c.id), entry: c.entry, input: c.input, dtype: c.dtype }))),
      encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    if (r.error || r.status !== 0) {
      console.warn(`torch truth unavailable (${r.error?.message ?? r.stderr.slice(-500)}): skipping`);
      this.skip();
    }
    truth = JSON.parse(r.stdout);
  });

  for (const c of all) {
    it(`${c.id}: ${c.entry}`, async () => {
      const t = truth[c.id];
      assert.ok(t && !t.error, `torch could not build ${c.id}: ${t?.error}`);
      const g = await buildArchGraph({ source: c.src, file: files.get(c.id)!, entry: c.entry, inputShape: c.input, inputDtype: c.dtype, pythonPaths: [DIST] });
      const a = g.getAttributes();
      const errors = a.diagnostics.filter((d) => d.severity !== 'info');
      assert.deepEqual(errors.map((d) => `${d.code}: ${d.message} @${d.loc?.line}`), [], 'no diagnostics');
      assert.equal(a.partial, false);
      assert.deepEqual(a.stateDict.map((p) => `${p.name} ${p.shape.join('x')}`), t.stateDict.map((p) => `${p.name} ${p.shape.join('x')}`));
      assert.equal(a.totalParams, t.totalParams, 'totalParams');
      assert.equal(a.trainableParams, t.trainableParams, 'trainableParams');
      assert.deepEqual(a.outputShape, t.outputShape, 'output shape');
      // graph sanity: input first, output last, every edge's shape is its producer's output
      const ids = g.nodes();
      assert.equal(g.getNodeAttribute(ids[0], 'op'), 'input');
      assert.equal(g.getNodeAttribute(ids[ids.length - 1], 'op'), 'output');
      g.forEachEdge((_e, attr, s, d) => {
        assert.deepEqual(attr.shape, g.getNodeAttribute(s, 'outputShapes')[attr.srcOutput]);
        assert.deepEqual(attr.shape, g.getNodeAttribute(d, 'inputShapes')[attr.dstInput]);
      });
    });
  }
});

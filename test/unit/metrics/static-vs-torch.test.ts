/**
 * The static metrics against PyTorch itself (issue 7): for a few models built from source by GHN Lens,
 *   - total and trainable parameters == sum(p.numel()) over model.parameters() (and per module),
 *   - MACs == torch.profiler FLOPs / 2 (with_flops=True; aten::conv2d/addmm/mm/bmm), in total and for
 *     every module's subtree,
 *   - the output shape.
 * The truth comes from torch_truth.py, all cases in ONE /usr/bin/python3 process. The models only use
 * ops whose FLOPs torch 1.13's profiler counts (Conv2d, Linear, matmul), so the totals must agree exactly.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { computeStaticMetrics, type StaticMetrics } from '../../../extension/pipeline/metrics/static';
import { buildArchGraph } from '../../../extension/pipeline/python/index';

const REPO = resolve(__dirname, '../../..');
const PYTHON = '/usr/bin/python3';

interface Case {
  id: string; file: string; entry: string; input: number[];
  /** A known difference (the test checks it still differs, so the list stays honest). */
  knownMismatch?: string;
}
interface Truth {
  totalParams: number; trainableParams: number; moduleParams: Record<string, number>;
  outputShape: number[]; flops: number; moduleFlops: Record<string, number>; error?: string;
}

const CASES: Case[] = [
  { id: 'shared_conv', file: 'test/unit/metrics/models/metrics_nets.py', entry: 'SharedConvNet()', input: [2, 3, 16, 16] },
  { id: 'frozen_stem', file: 'test/unit/metrics/models/metrics_nets.py', entry: 'SharedConvNet(freeze_stem=True)', input: [2, 3, 16, 16] },
  { id: 'tiny_mlp', file: 'test/unit/metrics/models/metrics_nets.py', entry: 'TinyMLP()', input: [1, 3, 32, 32] },
  { id: 'cifar_resnet18', file: 'examples/cifar_resnet.py', entry: 'ResNet18()', input: [1, 3, 32, 32] },
  { id: 'vgg11', file: 'examples/vgg.py', entry: "VGG('VGG11')", input: [1, 3, 32, 32] },
  { id: 'mobilenet_like', file: 'examples/mobilenet_like.py', entry: 'MobileNetLike()', input: [1, 3, 32, 32] },
];

function differences(m: StaticMetrics, t: Truth, diagnostics: { severity: string; code: string; message: string }[]): string[] {
  const d: string[] = [];
  const eq = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) d.push(`${what}: ours ${JSON.stringify(a)} != torch ${JSON.stringify(b)}`);
  };
  if (m.partial) d.push(`partial graph: ${diagnostics.filter((x) => x.severity === 'error').slice(0, 3).map((x) => `${x.code}: ${x.message}`).join('; ')}`);
  eq('total params', m.totalParams, t.totalParams);
  eq('trainable params', m.trainableParams, t.trainableParams);
  const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  eq('params per module', sorted(Object.fromEntries(m.layers.map((l) => [l.path, l.params]))), sorted(t.moduleParams));
  eq('MACs exact', m.macsExact, true);
  eq('MACs (== profiler FLOPs / 2)', m.macs, t.flops / 2);
  // torch labels a module only when its forward runs: a ModuleList/ModuleDict is iterated, never called.
  const ours = Object.fromEntries(m.layers.filter((l) => l.macs > 0 && !/^Module(List|Dict)$/.test(l.type)).map((l) => [l.path, l.macs]));
  eq('MACs per module subtree', sorted(ours), sorted(Object.fromEntries(Object.entries(t.moduleFlops).map(([k, v]) => [k, v / 2]))));
  eq('output shape', m.outputShape, t.outputShape);
  return d;
}

describe('metrics/static against PyTorch', function () {
  this.timeout(300_000);
  let truth: Record<string, Truth> = {};

  before(function () {
    const cases = CASES.filter((c) => existsSync(join(REPO, c.file))).map((c) => ({ ...c, file: join(REPO, c.file) }));
    const r = spawnSync(PYTHON, [join(__dirname, 'torch_truth.py')], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`torch_truth.py failed (${r.status}): ${r.stderr}`);
    truth = JSON.parse(r.stdout);
  });

  for (const c of CASES) {
    it(`${c.id}: ${c.entry} [${c.input.join(',')}]`, async () => {
      const file = join(REPO, c.file);
      assert.ok(existsSync(file), `${c.file} is missing`);
      const t = truth[c.id];
      assert.ok(t && !t.error, `torch: ${t?.error}`);
      const g = await buildArchGraph({ source: readFileSync(file, 'utf8'), file, entry: c.entry, inputShape: c.input });
      const m: StaticMetrics = computeStaticMetrics(g);
      const diffs = differences(m, t, g.getAttribute('diagnostics'));
      if (!c.knownMismatch) assert.deepEqual(diffs, [], `${c.id} differs from torch:\n  ${diffs.join('\n  ')}`);
      else {
        console.log(`    known mismatch ${c.id}: ${c.knownMismatch}\n      ${diffs.join('\n      ')}`);
        assert.notDeepEqual(diffs, [], `${c.id} now matches torch: remove its knownMismatch`);
      }
    });
  }
});

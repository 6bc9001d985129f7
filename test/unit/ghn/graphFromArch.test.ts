/**
 * ArchGraph → GHN graph, against the graphs ppuda traced from the live models. The ArchGraphs are built
 * here from the fixture models' descriptions (helpers/archBuilder.ts); the expectations are the fixture
 * graph.json files. Then the whole prediction from the ArchGraph must equal the reference parameters.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { ArchGraph } from '../../../extension/pipeline/arch/types';
import { ghnGraphFromArch, loadGhn, matchParams, predictParameters, type Ghn } from '../../../extension/pipeline/ghn/index';
import { mlp, resCatCnn, resnet18 } from './helpers/archBuilder';
import { compare, haveFixtures, leadingBlock, loadFixture, REF_DIR } from './helpers/fixtures';

const CASES: [string, () => ArchGraph][] = [
  ['cifar10__rescat_cnn', () => resCatCnn(10, 32)],
  ['imagenet__rescat_cnn', () => resCatCnn(1000, 224)],
  ['cifar10__mlp', () => mlp(10)],
  ['cifar10__resnet18', () => resnet18(10, true)],
  ['imagenet__resnet18', () => resnet18(1000, false)],
];

describe('ghn: graph from ArchGraph', function () {
  this.timeout(120000);
  const ghns = new Map<string, Ghn>();
  before(async function () {
    if (!haveFixtures()) this.skip();
    for (const c of ['cifar10', 'imagenet']) ghns.set(c, await loadGhn(join(REF_DIR, `ghn2_${c}_seed0.safetensors`)));
  });

  for (const [tag, build] of CASES) {
    it(`${tag}: nodes, order, shapes, edges and parameter mapping equal the reference`, () => {
      const f = loadFixture(tag);
      const arch = build();
      const { graph, warnings } = ghnGraphFromArch(arch);
      assert.deepEqual(warnings, []);
      assert.deepEqual(graph.nodes.map((n) => n.name), f.json.nodes.map((n) => n.traced_name));
      assert.deepEqual(graph.nodes.map((n) => n.op), f.json.nodes.map((n) => n.op_id));
      assert.deepEqual(graph.nodes.map((n) => n.shape), f.json.nodes.map((n) => n.shape));
      assert.deepEqual([...graph.edges], f.json.edges.flat());
      const m = matchParams(arch, graph, f.json.ghn_config_values.max_shape);
      assert.deepEqual(m.notPredicted, []);
      const expected = f.json.nodes.flatMap((n) => (n.predicts ?? []).map((p) => [p, n.index, JSON.stringify(n.group_key)]));
      assert.deepEqual(m.targets.map((t) => [t.param, t.node, JSON.stringify(t.key)]).sort(), expected.sort());
    });

    it(`${tag}: predictParameters from the ArchGraph equals the reference parameters`, async () => {
      const f = loadFixture(tag);
      const arch = build();
      const r = await predictParameters(ghns.get(f.json.ghn_config)!, arch);
      const keys = arch.getAttribute('stateDict').map((p) => p.name);
      assert.deepEqual([...r.tensors.keys()], keys, 'every state_dict key, in order');
      assert.deepEqual(r.notPredicted, []);
      assert.deepEqual(r.ghnGraph, { nodes: f.json.nodes.length, edges: f.json.edges.length });
      for (const [p, fp] of Object.entries(f.json.predicted_params)) {
        const t = r.tensors.get(p)!;
        assert.deepEqual(t.shape, fp.shape);
        const data = t.data as Float32Array;
        const mine = fp.stored === 'block' ? leadingBlock(data, fp.shape, fp.stored_shape) : data;
        const c = compare(mine, f.params.get(p)!.data as Float32Array);
        assert.ok(c.worst <= 1, `${p}: max |Δ| ${c.maxAbs}`);
      }
      for (const b of f.json.buffers_not_predicted) {
        const t = r.tensors.get(b)!;
        if (b.endsWith('num_batches_tracked')) assert.ok(t.data instanceof BigInt64Array && t.dtype === 'int64' && t.data[0] === 0n);
        else assert.ok([...(t.data as Float32Array)].every((v) => v === (b.endsWith('running_var') ? 1 : 0)), b);
      }
    });
  }
});

/**
 * End to end from Python source: fixture_models.py (ResCatCNN, MLP) and torchvision's resnet18 (CIFAR-10
 * adjusted like adjust_net; ImageNet unmodified) parsed by the interpreter give the reference's GHN graph
 * and parameters within atol 1e-6, rtol 1e-4.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ghnGraphFromArch, loadGhn, predictParameters, type Ghn } from '../../../extension/pipeline/ghn/index';
import { compare, haveFixtures, leadingBlock, loadFixture, REF_DIR } from './helpers/fixtures';
import { sourceCases, type SourceCase } from './helpers/sourceModels';

describe('ghn: end to end from Python source', function () {
  this.timeout(180000);
  let cases: SourceCase[] | null = null;
  const ghns = new Map<string, Ghn>();
  before(async function () {
    if (!haveFixtures()) this.skip();
    cases = await sourceCases();
    if (!cases) this.skip();
    for (const c of ['cifar10', 'imagenet']) ghns.set(c, await loadGhn(join(REF_DIR, `ghn2_${c}_seed0.safetensors`)));
  });

  for (const name of ['rescat_cifar', 'rescat_imagenet', 'mlp', 'resnet18_cifar', 'resnet18_imagenet']) {
    it(name, async () => {
      const c = cases!.find((x) => x.name === name);
      assert.ok(c, `${name} case (torchvision source present?)`);
      const f = loadFixture(c!.tag);
      const arch = await c!.build();
      assert.deepEqual(arch.getAttribute('diagnostics').filter((d) => d.severity === 'error'), []);
      const { graph } = ghnGraphFromArch(arch);
      assert.deepEqual(graph.nodes.map((n) => n.name), f.json.nodes.map((n) => n.traced_name));
      assert.deepEqual([...graph.edges], f.json.edges.flat());
      const r = await predictParameters(ghns.get(c!.config)!, arch);
      assert.deepEqual(r.notPredicted, []);
      let worst = 0;
      for (const [p, fp] of Object.entries(f.json.predicted_params)) {
        const t = r.tensors.get(p)!;
        assert.deepEqual(t.shape, fp.shape, p);
        const data = t.data as Float32Array;
        const cmp = compare(fp.stored === 'block' ? leadingBlock(data, fp.shape, fp.stored_shape) : data, f.params.get(p)!.data as Float32Array);
        assert.ok(cmp.worst <= 1, `${p}: max |Δ| ${cmp.maxAbs}`);
        worst = Math.max(worst, cmp.worst);
      }
      assert.equal(r.tensors.size, arch.getAttribute('stateDict').length);
    });
  }
});

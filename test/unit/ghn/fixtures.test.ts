/**
 * The engine against the reference GHN-2 (ppuda) on all 8 fixtures: starting from the fixture graphs,
 * every intermediate and every predicted parameter within atol 1e-6, rtol 1e-4, loading the GHN from the
 * safetensors and (CIFAR-10, the only .pt fixture) the .pt checkpoint.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGhn, runGhn, type Ghn } from '../../../extension/pipeline/ghn/index';
import { compare, FIXTURES, fixtureGraph, fixtureTargets, haveFixtures, leadingBlock, loadFixture, REF_DIR } from './helpers/fixtures';

const report: string[] = [];

describe('ghn: reference fixtures', function () {
  this.timeout(120000);
  const ghns = new Map<string, Ghn>();
  before(async function () {
    if (!haveFixtures()) this.skip();
    for (const f of ['ghn2_cifar10_seed0.safetensors', 'ghn2_cifar10_seed0.pt', 'ghn2_imagenet_seed0.safetensors']) ghns.set(f, await loadGhn(join(REF_DIR, f)));
    // There is no ImageNet .pt fixture: write one with Debian's torch (torch.save, the container GHN.load reads).
    const pt = join(mkdtempSync(join(tmpdir(), 'ghn-pt-')), 'ghn2_imagenet_seed0.pt');
    const py = `import sys; sys.path.insert(0, ${JSON.stringify(join(__dirname, '..', '..', 'torch'))})
import json, torch
from load_exported import read_safetensors
t, meta = read_safetensors(${JSON.stringify(join(REF_DIR, 'ghn2_imagenet_seed0.safetensors'))})
cfg = json.loads(meta['config']); cfg['max_shape'] = tuple(cfg['max_shape'])
torch.save({'state_dict': t, 'optimzer': {'state': {}, 'param_groups': [{'lr': 1e-3, 'betas': (0.9, 0.999), 'foreach': None, 'params': list(range(len(t)))}]}, 'epoch': 0, 'config': cfg}, ${JSON.stringify(pt)})`;
    if (existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8' }).status === 0) ghns.set('ghn2_imagenet_seed0.pt', await loadGhn(pt));
  });
  after(() => {
    if (report.length) console.log(`      max |Δ| / max rel / worst (|Δ|/(atol+rtol|ref|)) per fixture:\n${report.map((r) => `        ${r}`).join('\n')}`);
  });

  for (const tag of FIXTURES) {
    const cfg = tag.split('__')[0];
    const ckpts = [`ghn2_${cfg}_seed0.safetensors`, `ghn2_${cfg}_seed0.pt`];
    for (const ck of ckpts) {
      it(`${tag} from ${ck.split('.').pop()}${cfg === 'imagenet' && ck.endsWith('.pt') ? ' (written by Debian torch)' : ''}`, async function () {
        if (!ghns.has(ck)) this.skip();
        const f = loadFixture(tag);
        const targets = fixtureTargets(f);
        for (const t of targets) assert.deepEqual(t.key, f.json.nodes[t.node].group_key, `shape key of ${t.param}`);
        const r = await runGhn(ghns.get(ck)!, fixtureGraph(f), targets, { keepRaw: true });
        assert.deepEqual([...r.shapeInd], [...(f.inter.get('shape_ind')!.data as BigInt64Array)].map(Number), 'shape_ind');
        const inter: string[] = [];
        for (const [k, mine] of [['x_embed', r.xEmbed], ['x_init', r.xInit], ['x_gnn', r.xGnn], ['x_ln', r.xLn]] as const) {
          const c = compare(mine, f.inter.get(k)!.data as Float32Array);
          assert.ok(c.worst <= 1, `${k}: max |Δ| ${c.maxAbs}`);
          if (k === 'x_gnn' || k === 'x_ln') inter.push(`${k} ${c.maxAbs.toExponential(1)}`);
        }
        let rawAbs = 0;
        let rawN = 0;
        for (const call of f.json.decoder_calls) {
          const ref = f.inter.get(`raw/${call.param}`);
          const mine = r.raw.get(call.param)!;
          assert.deepEqual(mine.shape, call.raw_shape, `raw shape of ${call.param}`);
          if (!ref) continue;
          rawN++;
          const c = compare(mine.data, ref.data as Float32Array);
          assert.ok(c.worst <= 1, `raw/${call.param}: max |Δ| ${c.maxAbs}`);
          rawAbs = Math.max(rawAbs, c.maxAbs);
        }
        let maxAbs = 0, maxRel = 0, worst = 0;
        assert.equal(r.params.size, Object.keys(f.json.predicted_params).length);
        for (const [p, fp] of Object.entries(f.json.predicted_params)) {
          const data = r.params.get(p)!;
          assert.equal(data.length, fp.numel, p);
          const mine = fp.stored === 'block' ? leadingBlock(data, fp.shape, fp.stored_shape) : data;
          const c = compare(mine, f.params.get(p)!.data as Float32Array);
          assert.ok(c.worst <= 1, `${p}: max |Δ| ${c.maxAbs}, worst ${c.worst}`);
          maxAbs = Math.max(maxAbs, c.maxAbs); maxRel = Math.max(maxRel, c.maxRel); worst = Math.max(worst, c.worst);
          // Full-tensor statistics (the only check of the unstored part of the blocks).
          let s = 0, ss = 0, sa = 0, mn = Infinity, mx = -Infinity;
          for (let i = 0; i < data.length; i++) { const v = data[i]; s += v; ss += v * v; sa += Math.abs(v); if (v < mn) mn = v; if (v > mx) mx = v; }
          assert.ok(Math.abs(sa - fp.sumabs) <= 1e-6 * fp.numel + 1e-4 * fp.sumabs, `${p} sumabs ${sa} vs ${fp.sumabs}`);
          assert.ok(Math.abs(s - fp.sum) <= 1e-6 * fp.numel + 1e-4 * Math.abs(fp.sumabs), `${p} sum ${s} vs ${fp.sum}`);
          assert.ok(Math.abs(ss - fp.sumsq) <= 1e-4 * fp.sumsq + 1e-9, `${p} sumsq`);
          assert.ok(Math.abs(mn - fp.min) <= 1e-6 + 1e-4 * Math.abs(fp.min) && Math.abs(mx - fp.max) <= 1e-6 + 1e-4 * Math.abs(fp.max), `${p} min/max`);
        }
        report.push(`${tag} (${ck.split('.').pop()}): params ${maxAbs.toExponential(2)} / ${maxRel.toExponential(2)} / ${worst.toFixed(3)}; ${inter.join(', ')}; raw (${rawN}) ${rawAbs.toExponential(1)}`);
      });
    }
  }
});

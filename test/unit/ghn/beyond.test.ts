/** Where GHN Lens goes beyond the reference (doc §11), and what it does with layers GHN-2 does not know. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadGhn, paramStats, predictParameters, runGhn, type Ghn } from '../../../extension/pipeline/ghn/index';
import { ArchBuilder } from './helpers/archBuilder';
import { haveFixtures, REF_DIR } from './helpers/fixtures';
import { normaliser, normOf, tileInto } from '../../../extension/pipeline/ghn/tile';

const CRASHING = [5, 7, 10, 11, 13, 14, 15, 17, 19, 20, 21, 22, 23, 25, 26, 28, 29, 31];

function chain(cin: number, k = 3) {
  const b = new ArchBuilder('Net()', 'Net');
  let x = b.input([1, cin, 32, 32]);
  x = b.relu(b.conv('c1', x, cin, cin, k, { padding: Math.floor(k / 2) }));
  x = b.relu(b.conv('c2', x, cin, 48, 3, { padding: 1 }));
  x = b.fn('adaptive_avg_pool2d', [x], [1, 48, 1, 1], { output_size: 1 });
  x = b.fn('flatten', [x], [1, 48]);
  x = b.relu(b.linear('fc1', x, 48, cin));
  b.output(b.linear('fc', x, cin, 10));
  return b.build();
}

describe('ghn: beyond the reference', function () {
  this.timeout(120000);
  let ghn: Ghn;
  before(async function () {
    if (!haveFixtures()) this.skip();
    ghn = await loadGhn(join(REF_DIR, 'ghn2_cifar10_seed0.safetensors'));
  });

  it('predicts for every input-channel count where the reference decoder crashes', async () => {
    for (const c of CRASHING) {
      const r = await predictParameters(ghn, chain(c));
      assert.deepEqual(r.notPredicted, []);
      assert.ok(r.warnings.some((w) => w.includes('reference GHN-2 decoder crashes')), `warned for ${c}`);
      for (const [k, t] of r.tensors) assert.ok([...(t.data as Float32Array)].every(Number.isFinite), `${c}: ${k}`);
      assert.deepEqual(r.tensors.get('c2.weight')!.shape, [48, c, 3, 3]);
    }
  });

  it('computes W[:n_out, :min(64, ki)] directly: a crash-free count equals the slice of the decoder output', async () => {
    // 12 input channels (key 16 → n_in 16, kept 12) works in the reference; the raw block is exactly 12 wide.
    const r = await predictParameters(ghn, chain(12));
    assert.deepEqual(r.tensors.get('c2.weight')!.shape, [48, 12, 3, 3]);
  });

  it('tiles kernels larger than S spatially instead of failing', async () => {
    const r = await predictParameters(ghn, chain(64, 13));
    const w = r.tensors.get('c1.weight')!;
    assert.deepEqual(w.shape, [64, 64, 13, 13]);
    const d = w.data as Float32Array;
    // periodic with period 11 along both spatial axes
    for (let y = 0; y < 13; y++) for (let x = 0; x < 13; x++) assert.equal(d[y * 13 + x], d[(y % 11) * 13 + (x % 11)]);
  });

  it('keeps standard init for layers outside the 15 primitives and reports them, never silently', async () => {
    const b = new ArchBuilder('Net()', 'Net');
    let x = b.input([1, 3, 32, 32]);
    x = b.relu(b.bn('bn0', b.conv('c1', x, 3, 16, 3, { padding: 1 })));
    x = b.layer('GroupNorm', 'gn', x, x.shape, [['weight', [16]], ['bias', [16]]], { num_groups: 4 });
    x = b.fn('adaptive_avg_pool2d', [x], [1, 16, 1, 1], { output_size: 1 });
    x = b.fn('flatten', [x], [1, 16]);
    x = b.layer('BatchNorm1d', 'bn1d', x, x.shape, [['weight', [16]], ['bias', [16]]], { num_features: 16 });
    b.output(b.linear('fc', x, 16, 10));
    const arch = b.build();
    const r = await predictParameters(ghn, arch);
    assert.deepEqual(r.notPredicted.sort(), ['bn1d.bias', 'bn1d.weight', 'gn.bias', 'gn.weight']);
    assert.deepEqual(r.predicted.sort(), ['bn0.bias', 'bn0.weight', 'c1.weight', 'fc.bias', 'fc.weight']);
    assert.deepEqual([...r.tensors.keys()], arch.getAttribute('stateDict').map((p) => p.name));
    assert.ok([...(r.tensors.get('gn.weight')!.data as Float32Array)].every((v) => v === 1));
    assert.ok([...(r.tensors.get('gn.bias')!.data as Float32Array)].every((v) => v === 0));
    assert.ok(r.warnings.some((w) => w.includes('GroupNorm')));
  });

  it('honours cancellation', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(predictParameters(ghn, chain(16), { signal: ac.signal }), /cancelled/);
  });

  it('reports progress up to 1', async () => {
    const seen: number[] = [];
    await predictParameters(ghn, chain(16), { onProgress: (f) => seen.push(f) });
    assert.equal(seen[seen.length - 1], 1);
    assert.ok(seen.every((v, i) => i === 0 || v >= seen[i - 1]));
  });

  it('paramStats summarises a tensor', () => {
    const s = paramStats(Float32Array.from([1, 2, 3, 4]), 4);
    assert.equal(s.mean, 2.5);
    assert.equal(s.min, 1);
    assert.equal(s.max, 4);
    assert.ok(Math.abs(s.std - Math.sqrt(5 / 3)) < 1e-12);
    assert.deepEqual(s.histogram.counts, [1, 1, 1, 1]);
  });

  it('tiles blocks periodically along out/in channels (§8)', () => {
    const raw = Float32Array.from({ length: 2 * 3 }, (_, i) => i); // [2,3]
    const out = new Float32Array(5 * 7);
    tileInto(out, [5, 7], raw, [2, 3], (v) => v);
    for (let o = 0; o < 5; o++) for (let i = 0; i < 7; i++) assert.equal(out[o * 7 + i], raw[(o % 2) * 3 + (i % 3)]);
  });

  it('tiles with a Norm exactly like the elementwise formula with its function (every path)', () => {
    const cases: [number[], number[], boolean][] = [
      [[70], [64], true], [[70], [64], false], [[40], [64], true], [[10, 200], [10, 64], true], [[1000, 130], [1000, 64], true],
      [[130, 70, 3, 3], [64, 64, 3, 3], true], [[5, 7, 1, 1], [5, 7, 1, 1], true], [[64, 3, 7, 7], [64, 3, 7, 7], true],
      [[20, 9, 13, 13], [20, 9, 11, 11], true], [[20, 9, 13, 5], [20, 9, 11, 5], true], [[4, 1, 3, 5], [4, 1, 3, 5], true],
      [[6, 4, 2, 3], [4, 4, 3, 3], true], [[1, 50, 16], [1, 50, 16], true], [[3, 2, 2, 2, 2], [3, 2, 2, 2, 2], true],
    ];
    const pad = (s: number[]) => { const r = [...s, 1, 1, 1, 1].slice(0, 4); if (s.length > 4) r[3] = s.slice(3).reduce((a, b) => a * b, 1); return r; };
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 * 6 - 3; };
    for (const [t, r, w] of cases) {
      const raw = Float32Array.from({ length: r.reduce((a, b) => a * b, 1) }, rnd);
      const out = new Float32Array(t.reduce((a, b) => a * b, 1)).fill(NaN);
      tileInto(out, t, raw, r, normOf(t, w));
      const f = normaliser(t, w);
      const [t0, t1, t2, t3] = pad(t), [r0, r1, r2, r3] = pad(r);
      const want = new Float32Array(out.length);
      for (let o = 0; o < t0; o++) for (let i = 0; i < t1; i++) for (let y = 0; y < t2; y++) for (let x = 0; x < t3; x++) {
        want[((o * t1 + i) * t2 + y) * t3 + x] = f(raw[(((o % r0) * r1 + (i % r1)) * r2 + (y % r2)) * r3 + (x % r3)]);
      }
      assert.deepEqual(new Uint32Array(out.buffer), new Uint32Array(want.buffer), `[${t}] from [${r}]`);
    }
  });

  it('runGhn is exported for prepared graphs', () => assert.equal(typeof runGhn, 'function'));
});

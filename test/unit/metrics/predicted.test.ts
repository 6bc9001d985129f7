import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyHead, headsMatchGhn, kendallTauB, loadMetricHeads, meanAbsoluteError, meanEmbedding, parseMetricHeads, percentileAmong,
  predictedTitle, predictedTooltip, predictMetrics, predictWith, type MetricHead, type MetricHeads,
} from '../../../extension/pipeline/metrics/predicted';

const HID = 4;

/** Held-out figures computed from the listed predictions, as train_heads.py writes them. */
function quality(predictions: number[], targets: number[]): MetricHead['heldOut'] {
  return { n: predictions.length, kendallTau: kendallTauB(predictions, targets), mae: meanAbsoluteError(predictions, targets), predictions, targets };
}
// 24 held-out architectures: predictions 40..63 (step 1) and 65 at the top; targets mostly in order.
const ACC_PRED = [...Array.from({ length: 24 }, (_, i) => 40 + i), 70];
const ACC_TRUE = ACC_PRED.map((v, i) => (i % 4 === 1 ? v - 1.5 : v + 1));
const MS_PRED = Array.from({ length: 25 }, (_, i) => 0.2 * (i + 1));
const MS_TRUE = MS_PRED.map((v, i) => (i % 3 === 0 ? v * 1.3 : v));

function head(over: Partial<MetricHead> = {}): MetricHead {
  return {
    label: 'Accuracy', unit: '%', description: 'test accuracy after 1 epoch', higherIsBetter: true,
    input: { mean: [0, 0, 0, 0], std: [1, 1, 1, 1] },
    layers: [{ weight: [[1, 0, 0, 0]], bias: [0], activation: 'none' }],
    target: { transform: 'identity', mean: 50, std: 10 },
    heldOut: quality(ACC_PRED, ACC_TRUE),
    trainN: 10,
    ...over,
  };
}

function heads(): MetricHeads {
  return {
    format: 'ghn-lens-metric-heads', version: 1, ghn: { checkpoint: 'ghn.safetensors', sha256: 'abc', hid: HID },
    task: { dataset: 'FashionMNIST', inputShape: [1, 3, 32, 32] },
    heads: {
      accuracy: head(),
      inferenceMs: head({
        label: 'Inference time', unit: 'ms', higherIsBetter: false,
        layers: [{ weight: [[0, 1, 0, 0], [0, -1, 0, 0]], bias: [0, 0], activation: 'relu' }, { weight: [[1, 1]], bias: [0], activation: 'none' }],
        target: { transform: 'log', mean: 0, std: 1 },
        heldOut: quality(MS_PRED, MS_TRUE),
      }),
    },
  };
}

describe('metrics/predicted', () => {
  it('Kendall τ-b matches scipy, ties included', () => {
    // scipy.stats.kendalltau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]).statistic
    assert.ok(Math.abs(kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) - -0.47140452079103173) < 1e-12);
    assert.equal(kendallTauB([1, 2, 3, 4], [10, 20, 30, 40]), 1);
    assert.equal(kendallTauB([1, 2, 3, 4], [4, 3, 2, 1]), -1);
    // scipy.stats.kendalltau([1, 2, 2, 3], [1, 3, 2, 2]).statistic == 0.4
    assert.ok(Math.abs(kendallTauB([1, 2, 2, 3], [1, 3, 2, 2]) - 0.4) < 1e-12);
    assert.ok(Number.isNaN(kendallTauB([1, 1, 1], [1, 2, 3])));
    assert.throws(() => kendallTauB([1], [1, 2]));
  });

  it('MAE', () => {
    assert.equal(meanAbsoluteError([1, 2, 3], [2, 2, 5]), 1);
  });

  it('mean embedding over nodes', () => {
    const e = meanEmbedding(new Float32Array([1, 2, 3, 4, 3, 4, 5, 6]), 2, 4);
    assert.deepEqual(Array.from(e), [2, 3, 4, 5]);
    assert.throws(() => meanEmbedding([1, 2], 2, 4));
  });

  it('applies linear and MLP heads with their target transform', () => {
    const h = heads();
    assert.equal(applyHead(h.heads.accuracy!, [1.5, 9, 9, 9]), 65);
    // relu(x1) + relu(-x1) = |x1|, then exp.
    assert.ok(Math.abs(applyHead(h.heads.inferenceMs!, [0, -2, 0, 0]) - Math.exp(2)) < 1e-12);
    const std = head({ input: { mean: [1, 0, 0, 0], std: [2, 1, 1, 1] } });
    assert.equal(applyHead(std, [3, 0, 0, 0]), 60);
  });

  it('ranks a prediction among held-out predictions in the better direction', () => {
    assert.equal(percentileAmong(65, [40, 50, 60, 70], true), 0.75);
    assert.equal(percentileAmong(0.7, [0.5, 1, 4], false), 2 / 3);
    assert.equal(percentileAmong(50, [50, 60], true), 0.25);
  });

  it('shows a prediction beyond every measured architecture as the bound, never as a number nobody measured', () => {
    // x0 = 3 → 80 %, above the held-out targets' max (71 %); x0 = -1.5 → 35 %, below their min (41 %).
    const hi = predictMetrics([3, 0, 0, 0], heads());
    assert.ok(hi.available);
    if (!hi.available) return;
    const maxT = Math.max(...ACC_TRUE);
    assert.equal(hi.metrics[0].value, maxT);
    assert.equal(hi.metrics[0].beyond, 'above');
    assert.equal(hi.metrics[0].raw, 80);
    assert.equal(hi.metrics[0].percentile, 1);
    assert.match(predictedTitle(hi), new RegExp(`^acc >${maxT.toFixed(1)}% · `));
    assert.match(predictedTooltip(hi), /the head said 80\.0%, beyond every measured architecture/);
    const lo = predictMetrics([-1.5, 0, 0, 0], heads());
    assert.ok(lo.available && lo.metrics[0].beyond === 'below' && lo.metrics[0].value === Math.min(...ACC_TRUE));
    assert.ok(lo.available && predictedTitle(lo).startsWith(`acc <${Math.min(...ACC_TRUE).toFixed(1)}%`));
    // Inside the range: the value itself, no bound.
    const mid = predictMetrics([1.5, 0, 0, 0], heads());
    assert.ok(mid.available && mid.metrics[0].beyond === undefined && mid.metrics[0].value === 65);
  });

  it('predicts every head with its held-out quality', () => {
    const p = predictMetrics([1.5, 0, 0, 0], heads());
    assert.ok(p.available);
    if (!p.available) return;
    assert.deepEqual(p.metrics.map((m) => m.name), ['accuracy', 'inferenceMs']);
    assert.equal(p.metrics[0].value, 65);
    assert.equal(p.metrics[0].kendallTau, kendallTauB(ACC_PRED, ACC_TRUE));
    assert.ok(p.metrics[0].kendallTau > 0.8);
    assert.equal(p.metrics[0].percentile, 24 / 25);
    assert.equal(p.metrics[0].heldOutN, 25);
    assert.equal(p.metrics[1].value, 1);
    assert.match(predictedTitle(p), /^acc ≈ 65\.0% · CPU ≈ 1\.0 ms$/);
    assert.match(predictedTooltip(p), /Kendall τ 0\.\d\d on them/);
  });

  it('says "not available" without heads, never a number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heads-'));
    const missing = loadMetricHeads(join(dir, 'metric-heads.json'));
    assert.equal(missing.ok, false);
    const p = await predictWith({}, missing, async () => ({ data: [0, 0, 0, 0], n: 1, dim: 4 }));
    assert.equal(p.available, false);
    assert.equal(predictedTitle(p), 'predicted metrics: not available');
    assert.doesNotMatch(predictedTooltip(p), /\d+(\.\d+)?%/);
  });

  it('loads a valid file and rejects invalid ones with a reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heads-'));
    const f = join(dir, 'metric-heads.json');
    writeFileSync(f, JSON.stringify(heads()));
    const ok = loadMetricHeads(f);
    assert.ok(ok.ok);
    const p = await predictWith({}, ok, async () => ({ data: [1, 0, 0, 0, 2, 0, 0, 0], n: 2, dim: 4 }), { sha256: 'abc', hid: 4 });
    assert.ok(p.available && p.metrics[0].value === 65);
    // Another GHN checkpoint: not available.
    const other = await predictWith({}, ok, async () => ({ data: [1, 0, 0, 0], n: 1, dim: 4 }), { sha256: 'def', hid: 4 });
    assert.equal(other.available, false);
    // No embedding function in this build.
    assert.equal((await predictWith({}, ok, undefined)).available, false);
    // Embedding failure becomes a reason.
    const bad = await predictWith({}, ok, async () => { throw new Error('boom'); });
    assert.ok(!bad.available && /boom/.test(bad.reason));

    const broken = heads();
    broken.heads.accuracy!.layers[0].weight = [[1, 2]];
    writeFileSync(f, JSON.stringify(broken));
    const r = loadMetricHeads(f);
    assert.ok(!r.ok && /weight/.test(r.reason));
    writeFileSync(f, '{not json');
    assert.equal(loadMetricHeads(f).ok, false);
    assert.throws(() => parseMetricHeads({ format: 'x' }), /format/);
  });

  it('does not show a head whose held-out quality is below the bar', () => {
    const h = heads();
    const shuffled = [...ACC_TRUE].reverse();
    h.heads.accuracy!.heldOut = quality(ACC_PRED, shuffled);
    const p = predictMetrics([1.5, 0, 0, 0], h);
    assert.ok(p.available);
    if (!p.available) return;
    assert.deepEqual(p.metrics.map((m) => m.name), ['inferenceMs']);
    assert.match(predictedTooltip(p), /Not shown: Accuracy: held-out Kendall τ -0\.\d\d over 25/);
    h.heads.inferenceMs!.heldOut = quality(MS_PRED.slice(0, 5), MS_TRUE.slice(0, 5));
    const none = predictMetrics([1.5, 0, 0, 0], h);
    assert.equal(none.available, false);
    assert.equal(predictMetrics([1.5, 0, 0, 0], h, 'x', { minKendallTau: 0, minHeldOut: 0 }).available, true);
  });

  it('rejects quality figures that do not match the listed held-out predictions', () => {
    const h = heads();
    h.heads.accuracy!.heldOut.kendallTau = 0.99;
    assert.throws(() => parseMetricHeads(JSON.parse(JSON.stringify(h))), /kendallTau 0\.99 does not match/);
    const h2 = heads();
    h2.heads.accuracy!.heldOut.mae = 0.01;
    assert.throws(() => parseMetricHeads(JSON.parse(JSON.stringify(h2))), /mae 0\.01 does not match/);
    const h3 = heads();
    h3.heads.accuracy!.heldOut.n = 60;
    assert.throws(() => parseMetricHeads(JSON.parse(JSON.stringify(h3))), /heldOut\.n is 60/);
  });

  it('checks that heads belong to the GHN in use', () => {
    assert.equal(headsMatchGhn(heads(), { sha256: 'abc', hid: 4 }), null);
    assert.match(headsMatchGhn(heads(), { sha256: 'abc', hid: 32 })!, /32/);
    assert.match(headsMatchGhn(heads(), { sha256: 'zzz', hid: 4 })!, /another GHN/);
  });
});

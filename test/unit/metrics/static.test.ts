import * as assert from 'node:assert/strict';
import type { ArchGraphJson } from '../../../extension/pipeline/arch/types';
import {
  computeStaticMetrics, formatBytes, formatCount, formatMacs, formatShape, staticTitle,
} from '../../../extension/pipeline/metrics/static';
import { node, p, residualNet, toGraphology } from './fixtures';

describe('metrics/static', () => {
  it('counts parameters, buffers and bytes like PyTorch', () => {
    const m = computeStaticMetrics(residualNet());
    assert.equal(m.totalParams, 112 + 144 + 8 + 2570);
    assert.equal(m.trainableParams, 2834);
    assert.equal(m.nonTrainableParams, 0);
    assert.equal(m.bufferElements, 9);
    assert.equal(m.paramBytes, 2834 * 4 + 8 * 4 + 8);
    assert.equal(m.stateDictBytes, m.paramBytes);
  });

  it('sums MACs and reports exactness', () => {
    const m = computeStaticMetrics(residualNet());
    assert.equal(m.macs, 6912 + 9216 + 2560);
    assert.equal(m.macsExact, true);
    const j = residualNet();
    j.nodes[3].macsExact = false;
    j.nodes[3].macs = 0;
    const m2 = computeStaticMetrics(j);
    assert.equal(m2.macsExact, false);
    assert.equal(m2.macs, 6912 + 2560);
    assert.match(staticTitle(m2), /^2\.83K params · ≥9\.47 KMACs$/);
  });

  it('activation memory: total of outputs and the inference peak', () => {
    const m = computeStaticMetrics(residualNet());
    assert.equal(m.activation.totalBytes, (6 * 256 + 10) * 4);
    assert.equal(m.activation.inputBytes, 192 * 4);
    // Peak: relu output (kept for the add) + block.0 output + block.1 output = 3 × 256 floats.
    assert.equal(m.activation.peakInferenceBytes, 768 * 4);
    assert.equal(m.activation.exact, true);
  });

  it('depth in parameterised layers and in ops', () => {
    const m = computeStaticMetrics(residualNet());
    assert.deepEqual(m.depth, { parameterised: 4, ops: 7 });
  });

  it('counts ops per category and per op', () => {
    const m = computeStaticMetrics(residualNet());
    assert.deepEqual(m.categoryCounts, { conv: 2, activation: 1, norm: 1, elementwise: 1, shape: 1, linear: 1 });
    assert.equal(m.opCounts.Conv2d, 2);
    assert.equal(m.numOps, 7);
  });

  it('per-module figures', () => {
    const m = computeStaticMetrics(residualNet());
    const by = Object.fromEntries(m.layers.map((l) => [l.path, l]));
    assert.deepEqual(m.layers.map((l) => l.path), ['', 'conv1', 'block', 'block.0', 'block.1', 'fc']);
    assert.equal(by[''].params, 2834);
    assert.equal(by[''].macs, 18688);
    assert.deepEqual(by[''].outputShape, [1, 10]);
    assert.equal(by.block.params, 152);
    assert.equal(by.block.macs, 9216);
    assert.deepEqual(by.block.outputShape, [1, 4, 8, 8]);
    assert.equal(by.block.level, 1);
    assert.equal(by['block.0'].level, 2);
    assert.equal(by.conv1.calls, 1);
    assert.equal(by.conv1.ownParams, 112);
    assert.deepEqual(by.fc.outputShape, [1, 10]);
    assert.equal(by.fc.activationBytes, 40);
  });

  it('gives the same figures for the graphology form', () => {
    const j = residualNet();
    assert.deepEqual(computeStaticMetrics(toGraphology(j)), computeStaticMetrics(j));
  });

  it('counts a module called twice once for params and twice for MACs', () => {
    const j = residualNet();
    // Call block.0 a second time after the BatchNorm.
    const again = node('n4b', 'Conv2d', 'conv', 'module', 'block.0', [[1, 4, 8, 8]], [[1, 4, 8, 8]],
      { params: j.nodes[3].params, macs: 9216, callIndex: 1, moduleType: 'Conv2d' });
    j.nodes.splice(5, 0, again);
    j.edges = j.edges.filter((e) => !(e.source === 'n4' && e.target === 'n5'));
    j.edges.push({ source: 'n4', target: 'n4b', srcOutput: 0, dstInput: 0, shape: [1, 4, 8, 8] },
      { source: 'n4b', target: 'n5', srcOutput: 0, dstInput: 1, shape: [1, 4, 8, 8] });
    const m = computeStaticMetrics(j);
    assert.equal(m.totalParams, 2834);
    assert.equal(m.macs, 18688 + 9216);
    assert.equal(m.layers.find((l) => l.path === 'block.0')!.calls, 2);
    assert.equal(m.depth.parameterised, 5);
  });

  it('unknown dimensions make activation memory a lower bound', () => {
    const j: ArchGraphJson = residualNet();
    j.nodes[2].outputShapes = [[1, 4, null, 8]];
    const m = computeStaticMetrics(j);
    assert.equal(m.activation.exact, false);
    assert.equal(m.activation.totalBytes, (5 * 256 + 10) * 4);
  });

  it('respects frozen parameters', () => {
    const j = residualNet();
    for (const t of j.modules[1].params) t.trainable = false;
    const m = computeStaticMetrics(j);
    assert.equal(m.trainableParams, 2834 - 112);
    assert.equal(m.nonTrainableParams, 112);
  });

  it('falls back to the state_dict when modules list no tensors', () => {
    const j = residualNet();
    j.modules = [{ path: '', type: 'Net', children: [], params: [], isLeaf: false }];
    j.stateDict.push(p('extra', [3]));
    assert.equal(computeStaticMetrics(j).totalParams, 2837);
  });

  it('formats figures', () => {
    assert.equal(formatCount(11_173_962), '11.2M');
    assert.equal(formatCount(4_800), '4.8K');
    assert.equal(formatCount(950), '950');
    assert.equal(formatCount(1_500_000_000), '1.5B');
    assert.equal(formatCount(25_557_032), '25.6M');
    assert.equal(formatMacs(556_651_530), '0.56 GMACs');
    assert.equal(formatMacs(4_089_184_256), '4.09 GMACs');
    assert.equal(formatMacs(1_200_000), '1.2 MMACs');
    assert.equal(formatMacs(950), '950 MACs');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(3 * 1024 * 1024), '3 MiB');
    assert.equal(formatBytes(100), '100 B');
    assert.equal(formatShape([1, null, 3]), '[1, ?, 3]');
    assert.equal(staticTitle({ totalParams: 11_173_962, macs: 556_651_530, macsExact: true, partial: false }), '11.2M params · 0.56 GMACs');
    assert.equal(staticTitle({ totalParams: 10, macs: 10, macsExact: true, partial: true }), '≥10 params · ≥10 MACs');
  });
});

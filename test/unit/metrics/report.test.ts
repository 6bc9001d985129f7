import * as assert from 'node:assert/strict';
import { parseArgs, parseShape } from '../../../extension/cli/metrics';
import type { ArchGraphJson } from '../../../extension/pipeline/arch/types';
import type { PredictedMetrics } from '../../../extension/pipeline/metrics/predicted';
import { codeLensTitle, collectReport, hoverMarkdown, reportHtml, reportJson, reportMarkdown, type MetricsReport } from '../../../extension/pipeline/metrics/report';
import { computeStaticMetrics } from '../../../extension/pipeline/metrics/static';
import { residualNet } from './fixtures';

const NA: PredictedMetrics = { available: false, reason: 'no trained metric heads' };

async function twoModels(predict?: (g: ArchGraphJson) => Promise<PredictedMetrics>): Promise<MetricsReport> {
  return collectReport<ArchGraphJson>({
    file: 'nets.py', inputShape: [1, 3, 8, 8], entries: ['Net()', 'Broken()'],
    build: async (e) => { if (e === 'Broken()') throw new Error('unknown name Foo'); return residualNet(); },
    measure: computeStaticMetrics,
    diagnosticsOf: (g) => g.diagnostics,
    predict,
    unavailableReason: NA.available ? '' : NA.reason,
  });
}

describe('metrics/report', () => {
  it('collects every entry, keeping a failure as a model error', async () => {
    const r = await twoModels();
    assert.deepEqual(r.models.map((m) => m.entry), ['Net()', 'Broken()']);
    assert.equal(r.models[0].static!.totalParams, 2834);
    assert.equal(r.models[1].error, 'unknown name Foo');
    assert.equal(r.models[0].predicted.available, false);
  });

  it('Markdown: side-by-side table, "not available" predictions, per-module table', async () => {
    const md = reportMarkdown(await twoModels());
    assert.match(md, /^# GHN Lens: quality metrics of nets\.py/);
    assert.match(md, /\| {2}\| `Net\(\)` \| `Broken\(\)` \|/);
    assert.match(md, /\| Parameters \| 2\.83K \| — \|/);
    assert.match(md, /\| MACs \| 18\.7 KMACs \| — \|/);
    assert.match(md, /\| Predicted accuracy \| not available \| not available \|/);
    assert.match(md, /Predicted metrics not available: no trained metric heads/);
    assert.match(md, /could not build: unknown name Foo/);
    assert.match(md, /\| \u00a0\u00a0block \| Sequential \| 152 \| 9\.22 KMACs \| \[1, 4, 8, 8\] \| {2}\|/);
    assert.doesNotMatch(reportMarkdown(await twoModels(), { details: false }), /## `Net\(\)`/);
  });

  it('shows predictions with their error, τ and rank when heads exist', async () => {
    const md = reportMarkdown(await twoModels(async () => ({
      available: true, heads: 'h.json', metrics: [{
        name: 'accuracy', label: 'Accuracy', value: 81.24, unit: '%', mae: 3.1, kendallTau: 0.61, heldOutN: 60, percentile: 0.8,
        description: 'Test accuracy on Fashion-MNIST after 2 epochs of SGD.',
      }],
    })));
    assert.match(md, /\| Predicted accuracy \| 81\.2% ±3\.1% \(τ 0\.61, top 20%\) \|/);
    assert.match(md, /\| Predicted CPU time \/ image \| not available \|/);
    assert.match(md, /Kendall τ 0\.61/);
  });

  it('HTML: self-contained, escaped, no scripts', async () => {
    const r = await twoModels();
    r.models[1].error = '<script>alert(1)</script>';
    const html = reportHtml(r);
    assert.match(html, /^<!DOCTYPE html>/);
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /&lt;script&gt;/);
    assert.match(html, /Content-Security-Policy/);
    assert.match(html, /not available/);
  });

  it('JSON keeps the exact numbers', async () => {
    const j = reportJson(await twoModels()) as { models: { static: { macs: number } | null; error?: string }[] };
    assert.equal(j.models[0].static!.macs, 18688);
    assert.equal(j.models[1].static, null);
    assert.equal(JSON.parse(JSON.stringify(j)).models.length, 2);
  });

  it('a model whose graph has no op (e.g. a class that needs arguments) is reported as not built', async () => {
    const r = await collectReport<ArchGraphJson>({
      file: 'blocks.py', inputShape: [1, 3, 32, 32], entries: ['Block()'],
      build: async () => ({
        ...residualNet(), nodes: [], edges: [], modules: [], stateDict: [], partial: true, modelType: '',
        diagnostics: [{ severity: 'error', code: 'eval-error', message: "TypeError: __init__() missing 1 required positional argument: 'c'" }],
      }),
      measure: computeStaticMetrics,
      diagnosticsOf: (g) => g.diagnostics,
      predict: async () => { throw new Error('must not be called'); },
    });
    assert.deepEqual(r.models[0].predicted, { available: false, reason: 'the graph could not be built' });
    const md = reportMarkdown(r);
    assert.match(md, /\| Parameters \| — \|/);
    assert.match(md, /\| Notes \| could not build: TypeError: __init__\(\) missing 1 required positional argument: 'c' \|/);
    assert.doesNotMatch(md, /Predicted metrics not available/);
  });

  it('an empty file says so', () => {
    assert.match(reportMarkdown({ file: 'a.py', inputShape: [1], models: [] }), /No nn\.Module/);
  });
});

describe('cli/metrics arguments', () => {
  it('parses shapes', () => {
    assert.deepEqual(parseShape('1,3,32,32'), [1, 3, 32, 32]);
    assert.deepEqual(parseShape('[1, 3, 224, 224]'), [1, 3, 224, 224]);
    assert.deepEqual(parseShape('2x3x8x8'), [2, 3, 8, 8]);
    assert.throws(() => parseShape('1,a'));
    assert.throws(() => parseShape('0,3'));
  });

  it('parses options', () => {
    assert.equal(parseArgs(['--help']), 'help');
    const a = parseArgs(['m.py', '--entry', 'ResNet()', '--entry=VGG()', '--input', '1,3,64,64', '--json', '--python-path', 'lib']);
    if (a === 'help') throw new Error('not help');
    assert.equal(a.file, 'm.py');
    assert.deepEqual(a.entries, ['ResNet()', 'VGG()']);
    assert.deepEqual(a.inputShape, [1, 3, 64, 64]);
    assert.equal(a.json, true);
    assert.deepEqual(a.pythonPaths, ['lib']);
    assert.throws(() => parseArgs([]), /missing FILE/);
    assert.throws(() => parseArgs(['a.py', '--bogus']), /unknown option/);
    assert.throws(() => parseArgs(['a.py', '--entry']), /needs a value/);
    const q = parseArgs(['--quality']);
    assert.ok(q !== 'help' && q.quality && q.file === '');
  });
});

describe('metrics/report CodeLens and hover', () => {
  const m = computeStaticMetrics(residualNet());
  const pred: PredictedMetrics = {
    available: true, heads: 'h.json', metrics: [{
      name: 'accuracy', label: 'Accuracy', value: 81.24, unit: '%', mae: 3.1, kendallTau: 0.61, heldOutN: 60, percentile: 0.8,
      description: 'Test accuracy after 300 SGD steps.',
    }],
  };
  it('CodeLens title: static figures, plus the predicted accuracy only when available', () => {
    assert.equal(codeLensTitle(m), '2.83K params · 18.7 KMACs');
    assert.equal(codeLensTitle(m, NA), '2.83K params · 18.7 KMACs');
    assert.equal(codeLensTitle(m, pred), '2.83K params · 18.7 KMACs · acc ≈ 81.2% (τ 0.61)');
  });
  it('hover: exact figures and predictions or the reason', () => {
    const h = hoverMarkdown('Net()', m, NA);
    assert.match(h, /\| Parameters \| 2,834 \(2\.83K\) \|/);
    assert.match(h, /Predicted metrics: not available \(no trained metric heads\)/);
    assert.match(hoverMarkdown('Net()', m, pred), /\| Accuracy \(predicted\) \| 81\.2% ±3\.1% \(τ 0\.61, top 20%\) \|/);
  });
});

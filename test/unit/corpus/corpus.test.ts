/**
 * The parser's corpus against PyTorch: for each case of test/corpus/corpus.json, GHN Lens builds the model
 * from its Python source (never running it) and must agree exactly with torch on
 *   - totalParams and trainableParams,
 *   - the state_dict: names, shapes, dtypes and order,
 *   - the output shape (eval mode),
 *   - the MACs of conv and matmul-type ops == torch.profiler FLOPs / 2 (aten::conv2d/addmm/mm/bmm; issue 7),
 * and the graph must not be partial. (The truth.s forward runs in eval mode, with autograd on for models with
 * Transformer/MultiheadAttention layers, so torch takes no
 * fused fast path the profiler cannot count; see corpus_truth.py.) A case marked `{ mismatch: reason }` must still differ (so the list
 * stays honest); its reason is printed. The truth is computed by test/torch/corpus_truth.py, in one Python
 * process, when the suite runs.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ArchGraph, OpNode } from '../../../extension/pipeline/arch/types';
import {
  DIST_PACKAGES, type PythonApi, type TorchTruth,
  isTorchvision, loadCorpus, loadPythonApi, sourcePath, torchTruth,
} from './corpus';

/**
 * Whether torch 1.13's profiler counts FLOPs for what this node does: it reports them for aten::conv2d,
 * addmm, mm and bmm (so Linear, matmul, attention and the LSTM/GRU/RNN gate matmuls), not for
 * conv1d/conv3d/conv_transpose or bilinear. Element-wise ops (add, mul) are left out on both sides.
 */
function profilerCounts(n: OpNode): boolean {
  if (n.kind === 'input' || n.kind === 'output' || n.category === 'container') return false;
  const op = n.op;
  if (n.kind === 'module') {
    return /^(Conv2d|LazyConv2d|Linear|LazyLinear|NonDynamicallyQuantizableLinear|MultiheadAttention|TransformerEncoderLayer|TransformerDecoderLayer|TransformerEncoder|TransformerDecoder|Transformer|LSTM|GRU|RNN|LSTMCell|GRUCell|RNNCell)$/.test(op)
      || (n.category === 'attention' || n.category === 'recurrent');
  }
  return /^(conv2d|linear|matmul|mm|bmm|addmm|baddbmm|einsum|__matmul__|multi_head_attention_forward)$/.test(op);
}

interface Row { id: string; ours: number | string; torch: number | string; state: string; out: string; macs: string; verdict: string }

function fmtShape(s: unknown): string {
  return Array.isArray(s) ? `[${s.map((d) => (d === null ? '?' : d)).join(', ')}]` : String(s);
}

/** Every way GHN Lens's graph differs from torch's truth; [] when they agree exactly. */
function differences(g: ArchGraph, t: TorchTruth, row: Row): string[] {
  const diffs: string[] = [];
  const a = g.getAttributes();
  row.ours = a.totalParams;
  if (a.partial) {
    const first = a.diagnostics.find((d) => d.severity === 'error') ?? a.diagnostics[0];
    diffs.push(`graph is partial (${a.diagnostics.length} diagnostics; first: ${first ? `${first.code} ${first.message}${first.loc ? ` at ${first.loc.file.split('/').pop()}:${first.loc.line + 1}` : ''}` : 'none'})`);
  }
  if (a.totalParams !== t.totalParams) diffs.push(`totalParams ${a.totalParams} != torch ${t.totalParams}`);
  if (a.trainableParams !== t.trainableParams) diffs.push(`trainableParams ${a.trainableParams} != torch ${t.trainableParams}`);

  const ours = a.stateDict.map((p) => ({ name: p.name, shape: p.shape, dtype: p.dtype }));
  const n = Math.max(ours.length, t.stateDict.length);
  let stateOk = true;
  for (let i = 0; i < n; i++) {
    const o = ours[i];
    const r = t.stateDict[i];
    if (!o || !r || o.name !== r.name || fmtShape(o.shape) !== fmtShape(r.shape) || o.dtype !== r.dtype) {
      stateOk = false;
      diffs.push(`state_dict[${i}] ${o ? `${o.name} ${fmtShape(o.shape)} ${o.dtype}` : '(missing)'} != torch ${r ? `${r.name} ${fmtShape(r.shape)} ${r.dtype}` : '(none)'}`
        + ` (${ours.length} entries, torch ${t.stateDict.length})`);
      break;
    }
  }
  row.state = stateOk ? 'ok' : `${ours.length}/${t.stateDict.length}`;

  const outOk = fmtShape(a.outputShape) === fmtShape(t.outputShape);
  if (!outOk) diffs.push(`outputShape ${fmtShape(a.outputShape)} != torch ${fmtShape(t.outputShape)}`);
  row.out = outOk ? 'ok' : fmtShape(a.outputShape);

  // MACs of what the profiler counts, per model; per innermost module for the message.
  let macs = 0;
  let exact = true;
  const byModule = new Map<string, number>();
  const uncounted = t.uncountedByModule ?? {};
  let skipped = 0;
  g.forEachNode((_k, node) => {
    if (!profilerCounts(node)) return;
    // torch gave no FLOPs for an op at this path (conv2d with padding='same'): no truth to compare with.
    if (uncounted[node.modulePath]) { skipped++; return; }
    macs += node.macs;
    if (!node.macsExact) exact = false;
    byModule.set(node.modulePath, (byModule.get(node.modulePath) ?? 0) + node.macs);
  });
  const torchMacs = t.flops / 2;
  const macsOk = exact && macs === torchMacs;
  row.macs = macsOk ? (torchMacs === 0 ? 'ok (0)' : skipped ? `ok (${skipped} skipped)` : 'ok') : `${(macs / 1e6).toFixed(1)}M/${(torchMacs / 1e6).toFixed(1)}M`;
  if (!macsOk) {
    const where: string[] = [];
    const paths = new Set([...byModule.keys(), ...Object.keys(t.flopsByModule)]);
    for (const p of paths) {
      const o = byModule.get(p) ?? 0;
      const r = (t.flopsByModule[p] ?? 0) / 2;
      if (o !== r) where.push(`'${p}' ${o} vs ${r}`);
      if (where.length >= 4) break;
    }
    diffs.push(`conv/matmul MACs ${macs}${exact ? '' : ' (inexact)'} != torch profiler FLOPs/2 ${torchMacs}; by module: ${where.join('; ')}`
      + ' (torch attributes an op to the innermost module whose forward ran it)');
  }
  return diffs;
}

describe('parser corpus against PyTorch', function () {
  const cases = loadCorpus();
  const rows: Row[] = [];
  let truth: Record<string, TorchTruth> = {};
  let api: PythonApi | undefined;
  let apiError: unknown;

  before(function () {
    this.timeout(15 * 60_000); // first run computes every forward pass (vit_b_16 ~20 s on 2 cores); then cached
    truth = torchTruth();
    try {
      api = loadPythonApi();
    } catch (e) {
      apiError = e;
    }
  });

  after(function () {
    if (rows.length === 0) return;
    const head: Row = { id: 'case', ours: 'params ours', torch: 'torch', state: 'state_dict', out: 'output', macs: 'MACs', verdict: 'result' };
    const all = [head, ...rows];
    const w = (k: keyof Row) => Math.max(...all.map((r) => String(r[k]).length));
    const keys: (keyof Row)[] = ['id', 'ours', 'torch', 'state', 'out', 'macs', 'verdict'];
    const line = (r: Row) => keys.map((k) => (k === 'ours' || k === 'torch' ? String(r[k]).padStart(w(k)) : String(r[k]).padEnd(w(k)))).join('  ');
    const matched = rows.filter((r) => r.verdict === 'match').length;
    console.log(`\n${line(head)}\n${all.slice(1).map(line).join('\n')}\n${matched}/${rows.length} cases identical to PyTorch\n`);
  });

  it('lists each case once, with a file that exists and an expectation', () => {
    const ids = new Set<string>();
    for (const c of cases) {
      assert.ok(!ids.has(c.id), `duplicate id ${c.id}`);
      ids.add(c.id);
      assert.ok(c.entry && Array.isArray(c.input), c.id);
      assert.ok(c.expect === 'match' || (typeof c.expect === 'object' && c.expect.mismatch), `${c.id}: expect is 'match' or {mismatch: reason}`);
      readFileSync(sourcePath(c));
    }
    assert.ok(cases.filter(isTorchvision).length >= 25, 'at least 25 torchvision builders');
  });

  it('catches a graph that differs from torch (the comparison itself can fail)', async function () {
    this.timeout(120_000);
    if (!api) throw new Error('the interpreter cannot be loaded');
    const byId = new Map(cases.map((c) => [c.id, c]));
    const c = byId.get('cifar_resnet18')!;
    const g = await api.buildArchGraph({ source: readFileSync(sourcePath(c), 'utf8'), file: sourcePath(c), entry: c.entry, inputShape: c.input });
    const scratch = (): Row => ({ id: '', ours: '', torch: '', state: '', out: '', macs: '', verdict: '' });
    // Another model's truth: counts, state_dict and MACs all differ.
    const other = differences(g, truth.cifar_resnet34, scratch()).join('\n');
    assert.match(other, /totalParams/);
    assert.match(other, /state_dict\[/);
    assert.match(other, /MACs/);
    // The right truth, with two state_dict entries swapped, one shape changed, or the output shape changed.
    const t = truth.cifar_resnet18;
    const swapped = { ...t, stateDict: [t.stateDict[1], t.stateDict[0], ...t.stateDict.slice(2)] };
    assert.match(differences(g, swapped, scratch()).join('\n'), /state_dict\[0\]/);
    const reshaped = { ...t, stateDict: t.stateDict.map((e, i) => (i === 5 ? { ...e, shape: [...e.shape, 1] } : e)) };
    assert.match(differences(g, reshaped, scratch()).join('\n'), /state_dict\[5\]/);
    assert.match(differences(g, { ...t, outputShape: [1, 11] }, scratch()).join('\n'), /outputShape/);
    assert.match(differences(g, { ...t, flops: t.flops + 2 }, scratch()).join('\n'), /MACs/);
    assert.deepEqual(differences(g, t, scratch()), []);
  });

  for (const c of cases) {
    const title = `${c.id}: ${c.file.replace(/^examples\//, '')} ${c.entry} [${c.input.join(',')}]`;
    it(title, async function () {
      this.timeout(120_000);
      const t = truth[c.id];
      assert.ok(t, `no truth for ${c.id}`);
      assert.ok(!t.error, `torch cannot build ${c.id}: ${t.error}`);
      const row: Row = { id: c.id, ours: '-', torch: t.totalParams, state: '-', out: '-', macs: '-', verdict: 'error' };
      rows.push(row);
      if (!api) throw new Error(`the interpreter (extension/pipeline/python/index.ts) cannot be loaded: ${apiError instanceof Error ? apiError.message.split('\n')[0] : String(apiError)}`);
      const file = sourcePath(c);
      const g = await api.buildArchGraph({
        source: readFileSync(file, 'utf8'),
        file,
        entry: c.entry,
        inputShape: c.input,
        inputDtype: c.inputDtype,
        pythonPaths: isTorchvision(c) ? [DIST_PACKAGES] : undefined, // user files: the interpreter's default search paths
      });
      const diffs = differences(g, t, row);
      if (c.expect === 'match') {
        row.verdict = diffs.length === 0 ? 'match' : 'MISMATCH';
        assert.deepEqual(diffs, [], `${c.id} differs from torch:\n  ${diffs.join('\n  ')}`);
      } else {
        row.verdict = diffs.length === 0 ? 'NOW MATCHES' : 'known mismatch';
        console.log(`    known mismatch ${c.id}: ${c.expect.mismatch}\n      ${diffs.join('\n      ')}`);
        assert.notDeepEqual(diffs, [], `${c.id} now matches torch exactly: mark it "match" in test/corpus/corpus.json`);
      }
    });
  }
});

/**
 * `npm run bench -- metrics`: speed of the static metrics and the report, which the CodeLens and the
 * "Show Quality Metrics" report compute for every model of a file.
 *
 * - torchvision resnet50 at [1, 3, 224, 224] (built once by the interpreter): computeStaticMetrics,
 *   reportMarkdown and reportHtml, min / median over repeats after one warm-up.
 * - a synthetic graph of 20,000 ops in a 4-level module tree (a deep model): computeStaticMetrics, to
 *   show the per-module figures stay linear (no nodes × modules work).
 * Budget: static metrics of ResNet-50 well under 50 ms (a CodeLens title must not wait on them).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ArchGraphJson, ModuleInfo, OpNode } from '../../extension/pipeline/arch/types';
import { reportHtml, reportMarkdown, type MetricsReport } from '../../extension/pipeline/metrics/report';
import { computeStaticMetrics } from '../../extension/pipeline/metrics/static';
import { buildArchGraph } from '../../extension/pipeline/python/index';

const REPEATS = Number(process.env.METRICS_BENCH_REPEATS ?? 20);
const RESNET = '/usr/lib/python3/dist-packages/torchvision/models/resnet.py';
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function time(name: string, fn: () => unknown, n = REPEATS): { min: number; median: number } {
  fn();
  const xs: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  const c = process.cpuUsage(cpu);
  const r = { min: Math.min(...xs), median: median(xs) };
  // CPU time per call too: on a busy machine wall time measures the contention, CPU time the work.
  console.log(`${name.padEnd(44)} min ${r.min.toFixed(2).padStart(8)} ms   median ${r.median.toFixed(2).padStart(8)} ms   cpu ${((c.user + c.system) / 1000 / n).toFixed(2).padStart(8)} ms/call`);
  return r;
}

function synthetic(nOps: number): ArchGraphJson {
  const modules: ModuleInfo[] = [{ path: '', type: 'Net', children: [], params: [], isLeaf: false }];
  const nodes: OpNode[] = [];
  const edges: ArchGraphJson['edges'] = [];
  const shape = [1, 16, 8, 8];
  const mk = (id: string, op: string, modulePath: string, extra: Partial<OpNode> = {}): OpNode => ({
    id, op, category: 'conv', kind: 'module', modulePath, attrs: {}, inputShapes: [shape], outputShapes: [shape], params: [], macs: 0, macsExact: true, ...extra,
  });
  nodes.push({ ...mk('in', 'input', ''), kind: 'input', category: 'input' });
  let prev = 'in';
  for (let i = 0; i < nOps; i++) {
    const stage = `s${Math.floor(i / 5000)}`;
    const block = `${stage}.b${Math.floor(i / 50)}`;
    const path = `${block}.conv${i % 50}`;
    for (const p of [stage, block]) {
      if (!modules.some((m) => m.path === p)) modules.push({ path: p, type: 'Sequential', children: [], params: [], isLeaf: false });
    }
    const params = [{ name: `${path}.weight`, shape: [16, 16, 3, 3], role: 'parameter' as const, trainable: true, persistent: true, dtype: 'float32' }];
    modules.push({ path, type: 'Conv2d', children: [], params, isLeaf: true });
    nodes.push(mk(`n${i}`, 'Conv2d', path, { params, macs: 147456 }));
    edges.push({ source: prev, target: `n${i}`, srcOutput: 0, dstInput: 0, shape });
    prev = `n${i}`;
  }
  nodes.push({ ...mk('out', 'output', ''), kind: 'output', category: 'output', outputShapes: [] });
  edges.push({ source: prev, target: 'out', srcOutput: 0, dstInput: 0, shape });
  return {
    entry: 'Synthetic()', modelType: 'Net', inputShape: shape, outputShape: shape, modules, stateDict: modules.flatMap((m) => m.params),
    totalParams: 0, trainableParams: 0, macs: 0, diagnostics: [], partial: false, nodes, edges,
  };
}

async function main(): Promise<void> {
  if (existsSync(RESNET)) {
    const t = performance.now();
    const g = await buildArchGraph({ source: readFileSync(RESNET, 'utf8'), file: RESNET, entry: 'resnet50()', inputShape: [1, 3, 224, 224], pythonPaths: ['/usr/lib/python3/dist-packages'] });
    console.log(`resnet50 graph built in ${(performance.now() - t).toFixed(0)} ms: ${g.order} ops, ${g.getAttribute('modules').length} modules`);
    const m = computeStaticMetrics(g);
    console.log(`  ${m.totalParams} params, ${m.macs} MACs, peak ${m.activation.peakInferenceBytes} B, depth ${m.depth.parameterised}/${m.depth.ops}`);
    time('resnet50 computeStaticMetrics', () => computeStaticMetrics(g));
    const rep: MetricsReport = { file: 'resnet.py', inputShape: [1, 3, 224, 224], models: [{ entry: 'resnet50()', static: m, predicted: { available: false, reason: 'bench' }, diagnostics: [] }] };
    time('resnet50 reportMarkdown (60 module rows)', () => reportMarkdown(rep));
    time('resnet50 reportHtml (60 module rows)', () => reportHtml(rep));
  } else console.log(`skipped resnet50: ${RESNET} not found`);
  const big = synthetic(20_000); // building it is quadratic (modules.some), outside the timing
  time(`synthetic ${big.nodes.length} ops / ${big.modules.length} modules`, () => computeStaticMetrics(big), 5);
}

main().catch((e) => { console.error(e); process.exit(1); });

/**
 * `npm run bench -- ghn`: GHN-2 prediction speed and memory, against the reference's figures
 * (ppuda on this machine kind, 2 threads: ResNet-50 ImageNet end to end 0.18 s min / 0.34 s median,
 * peak RSS 646–826 MiB; doc §13).
 *
 * - torchvision resnet50 (ImageNet config): source → ArchGraph (interpreter), ArchGraph → GHN graph,
 *   prediction (graph + GNN + decoders + tiling into every state_dict tensor), min / median over repeats
 *   after one warm-up; peak RSS of this process (maxRSS) and its growth over the baseline.
 * - the 8 reference fixtures: prediction from the stored fixture graphs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGhn, predictParameters, runGhn, type Ghn } from '../../extension/pipeline/ghn/index';
import { FIXTURES, fixtureGraph, fixtureTargets, loadFixture, REF_DIR } from '../unit/ghn/helpers/fixtures';

const REPEATS = Number(process.env.GHN_BENCH_REPEATS ?? 10);
const RESNET = '/usr/lib/python3/dist-packages/torchvision/models/resnet.py';
const REF = { e2eMin: 0.18, e2eMedian: 0.34, rssLow: 646, rssHigh: 826 };

const mib = (kib: number): number => kib / 1024;
const maxRss = (): number => mib(process.resourceUsage().maxRSS);
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;

async function time<T>(fn: () => Promise<T>, n = REPEATS): Promise<{ min: number; median: number; last: T; cold: number }> {
  let t = performance.now();
  let last = await fn();
  const cold = performance.now() - t;
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    t = performance.now();
    last = await fn();
    xs.push(performance.now() - t);
  }
  return { min: Math.min(...xs), median: median(xs), last, cold };
}

async function main(): Promise<void> {
  const base = maxRss();
  console.log(`node ${process.version}, ${REPEATS} repeats after 1 warm-up; baseline RSS ${process.memoryUsage().rss / 2 ** 20 | 0} MiB`);
  const ghnI = await loadGhn(join(REF_DIR, 'ghn2_imagenet_seed0.safetensors'));
  const ghnC = await loadGhn(join(REF_DIR, 'ghn2_cifar10_seed0.safetensors'));

  // ResNet-50 from source
  let buildArchGraph: ((o: any) => Promise<any>) | null = null;
  try {
    buildArchGraph = require('../../extension/pipeline/python/index').buildArchGraph;
  } catch (e) {
    console.log(`resnet50: the interpreter is not available (${(e as Error).message.split('\n')[0]}); skipped`);
  }
  if (buildArchGraph && existsSync(RESNET)) {
    const source = readFileSync(RESNET, 'utf8');
    const src = await time(() => buildArchGraph!({ source, file: RESNET, entry: 'resnet50()', inputShape: [1, 3, 224, 224] }), Math.min(REPEATS, 5));
    const arch = src.last;
    const pred = await time(() => predictParameters(ghnI, arch));
    const r = pred.last;
    const numel = [...r.tensors.values()].reduce((s: number, t: any) => s + t.data.length, 0);
    const e2eMin = (src.min + pred.min) / 1000, e2eMed = (src.median + pred.median) / 1000;
    const peak = maxRss();
    console.log(`\nresnet50 (ImageNet GHN): ${r.ghnGraph.nodes} nodes / ${r.ghnGraph.edges} edges, ${r.tensors.size} tensors, ${(numel / 1e6).toFixed(2)} M values, ${r.notPredicted.length} not predicted`);
    console.log(`  source → ArchGraph       min ${fmt(src.min)}  median ${fmt(src.median)}  (cold ${fmt(src.cold)})`);
    console.log(`  ArchGraph → parameters   min ${fmt(pred.min)}  median ${fmt(pred.median)}  (cold ${fmt(pred.cold)})`);
    console.log(`    of which (last run): ${Object.entries(r.timings).map(([k, v]) => `${k} ${(v as number).toFixed(1)}`).join(', ')} ms`);
    console.log(`  GHN end to end (ArchGraph → params) vs reference ppuda end to end (model → params):`);
    console.log(`    min ${(pred.min / 1000).toFixed(3)} s vs ${REF.e2eMin} s → ${(pred.min / 1000 / REF.e2eMin).toFixed(2)}×;  median ${(pred.median / 1000).toFixed(3)} s vs ${REF.e2eMedian} s → ${(pred.median / 1000 / REF.e2eMedian).toFixed(2)}×`);
    console.log(`  source → params (adds the Python interpreter, which the reference does not need):`);
    console.log(`    min ${e2eMin.toFixed(3)} s → ${(e2eMin / REF.e2eMin).toFixed(2)}×;  median ${e2eMed.toFixed(3)} s → ${(e2eMed / REF.e2eMedian).toFixed(2)}×`);
    console.log(`  peak RSS ${peak.toFixed(0)} MiB (process; baseline peak ${base.toFixed(0)} MiB) vs reference ${REF.rssLow}–${REF.rssHigh} MiB → ${(peak / REF.rssLow).toFixed(2)}–${(peak / REF.rssHigh).toFixed(2)}×`);
  } else if (buildArchGraph) console.log(`resnet50: ${RESNET} not found; skipped`);

  console.log('\nfixtures (prediction from the stored fixture graph; min / median):');
  for (const tag of FIXTURES) {
    const f = loadFixture(tag);
    const ghn: Ghn = tag.startsWith('cifar10') ? ghnC : ghnI;
    const g = fixtureGraph(f);
    const targets = fixtureTargets(f);
    const t = await time(() => runGhn(ghn, g, targets));
    const n = [...t.last.params.values()].reduce((s, a) => s + a.length, 0);
    console.log(`  ${tag.padEnd(26)} ${String(g.nodes.length).padStart(4)} nodes ${String(g.edges.length / 3).padStart(5)} edges ${(n / 1e6).toFixed(2).padStart(6)} M values   ${fmt(t.min).padStart(9)} / ${fmt(t.median).padStart(9)}`);
  }
  console.log(`\npeak RSS over the whole run: ${maxRss().toFixed(0)} MiB`);
}

main().catch((e) => { console.error(e); process.exit(1); });

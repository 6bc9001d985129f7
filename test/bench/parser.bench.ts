/**
 * `npm run bench -- parser`: how long GHN Lens takes to read a model from source, for every case of the
 * parser's corpus (test/corpus/corpus.json: the example models and torchvision 0.14's builders).
 *
 *  - cold: the first call in the process (tree-sitter's wasm runtime and the Python grammar load there),
 *    then the first build of each case (its files not yet parsed);
 *  - warm: min and median of N more builds of the same case (parsed files are cached by content hash,
 *    as in the extension when a file is shown again);
 *  - entries: findModelEntries over the file (the CodeLens pass), warm median.
 * BENCH_N=10 sets N (default 5). Times are wall-clock ms on this machine, one case at a time.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DIST_PACKAGES, isTorchvision, loadCorpus, loadPythonApi, sourcePath } from '../unit/corpus/corpus';

const N = Number(process.env.BENCH_N ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const ms = (x: number) => x.toFixed(1);

async function main(): Promise<void> {
  const tLoad = performance.now();
  const api = loadPythonApi();
  const loadMs = performance.now() - tLoad;
  const cases = loadCorpus();
  const rows: string[][] = [];
  let coldTotal = 0;
  let warmTotal = 0;
  let entriesTotal = 0;
  let processCold = 0;
  const seenFiles = new Set<string>();

  for (const [i, c] of cases.entries()) {
    const file = sourcePath(c);
    const source = readFileSync(file, 'utf8');
    const opts = { source, file, entry: c.entry, inputShape: c.input, inputDtype: c.inputDtype, pythonPaths: isTorchvision(c) ? [DIST_PACKAGES] : undefined };
    let nodes = 0;
    let note = '';
    const t0 = performance.now();
    try {
      const g = await api.buildArchGraph(opts);
      nodes = g.order;
      if (g.getAttribute('partial')) note = 'partial';
    } catch (e) {
      note = `threw: ${e instanceof Error ? e.message.split('\n')[0].slice(0, 40) : String(e)}`;
    }
    const cold = performance.now() - t0;
    if (i === 0) processCold = cold;
    coldTotal += cold;
    const warm: number[] = [];
    for (let k = 0; k < N; k++) {
      (globalThis as { gc?: () => void }).gc?.();
      const t = performance.now();
      try { await api.buildArchGraph(opts); } catch { /* reported above */ }
      warm.push(performance.now() - t);
    }
    warmTotal += median(warm);
    let entriesMs = '';
    if (!seenFiles.has(file)) {
      seenFiles.add(file);
      const es: number[] = [];
      for (let k = 0; k < N; k++) {
        const t = performance.now();
        try { await api.findModelEntries(source, file); } catch { /* the corpus test reports it */ }
        es.push(performance.now() - t);
      }
      entriesTotal += median(es);
      entriesMs = ms(median(es));
    }
    rows.push([c.id, String(source.split('\n').length), String(nodes), ms(cold), ms(Math.min(...warm)), ms(median(warm)), entriesMs, note]);
  }

  const head = ['case', 'lines', 'nodes', 'cold ms', 'warm min', 'warm med', 'entries', ''];
  const all = [head, ...rows];
  const w = head.map((_, j) => Math.max(...all.map((r) => r[j].length)));
  const fmt = (r: string[]) => r.map((x, j) => (j === 0 || j === r.length - 1 ? x.padEnd(w[j]) : x.padStart(w[j]))).join('  ');
  console.log(fmt(head));
  for (const r of rows) console.log(fmt(r));
  console.log(`\nmodule load ${ms(loadMs)} ms; first call in the process (tree-sitter init + ${cases[0].id}) ${ms(processCold)} ms`);
  console.log(`whole corpus (${cases.length} cases, ${seenFiles.size} files): cold ${ms(coldTotal)} ms, warm ${ms(warmTotal)} ms (sum of medians, N=${N}); findModelEntries over all files ${ms(entriesTotal)} ms`);
  console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (timings grow with load)`);
  const mem = process.memoryUsage();
  console.log(`heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

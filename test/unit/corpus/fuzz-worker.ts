/**
 * The fuzz test's child process: builds mutants on request, so a mutant that exhausts memory or never
 * finishes takes down this process, not the test run. Messages: in `{ seed }`, out `{ seed, ms, best, stage,
 * entry, error? }` (and `{ ready: true }` once the interpreter is loaded and warm).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPO, loadCorpus, loadPythonApi } from './corpus';
import { mutate } from './mutate';

export interface FuzzRequest { seed: number; limitMs: number }
export interface FuzzReply { seed: number; file: string; ops: string[]; stage: string; ms: number; best: number; error?: string }

const EXAMPLES = join(REPO, 'examples');
const api = loadPythonApi();
const corpus = loadCorpus();
export const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.py')).sort();
const sources = files.map((f) => {
  const c = corpus.find((k) => k.file === `examples/${f}`);
  return {
    file: f, path: join(EXAMPLES, f), source: readFileSync(join(EXAMPLES, f), 'utf8'),
    input: c ? { inputShape: c.input, inputDtype: c.inputDtype } : { inputShape: [1, 3, 32, 32] },
  };
});

async function once(source: string, base: (typeof sources)[number], st: { stage: string }): Promise<void> {
  st.stage = 'findModelEntries';
  const entries = await api.findModelEntries(source, base.path);
  if (!entries.length) return;
  st.stage = `buildArchGraph(${entries[0].expr})`;
  const g = await api.buildArchGraph({ source, file: base.path, entry: entries[0].expr, ...base.input, pythonPaths: [] });
  g.getAttribute('totalParams');
}

async function run(req: FuzzRequest): Promise<FuzzReply> {
  const base = sources[req.seed % sources.length];
  const m = mutate(base.source, req.seed);
  const st = { stage: '' };
  const t0 = performance.now();
  try {
    await once(m.source, base, st);
  } catch (e) {
    return { seed: req.seed, file: base.file, ops: m.ops, stage: st.stage, ms: performance.now() - t0, best: 0,
      error: e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 4).join(' | ') : String(e) };
  }
  const ms = performance.now() - t0;
  let best = ms;
  // On a loaded machine a GC pause or a busy core can stretch one run: measure twice more, keep the best
  // (not for one far over the limit, which is slow whatever the load).
  for (let k = 0; k < 2 && best > req.limitMs && ms < 5 * req.limitMs; k++) {
    const t1 = performance.now();
    try { await once(m.source, base, { stage: '' }); } catch { /* reported above */ }
    best = Math.min(best, performance.now() - t1);
  }
  return { seed: req.seed, file: base.file, ops: m.ops, stage: st.stage, ms, best };
}

if (process.send) {
  (async () => {
    // Warm up: tree-sitter's wasm and the grammar load on the first call, not inside a timed case.
    const s = sources[0];
    try { await once(s.source, s, { stage: '' }); } catch { /* the corpus test reports it */ }
    process.send!({ ready: true });
  })();
  process.on('message', (req: FuzzRequest) => {
    run(req).then((r) => process.send!(r));
  });
}

/**
 * The GHN worker thread (bundled as dist/ghnWorker.js): builds the graph, loads the GHN (tfjs wasm) once,
 * predicts every parameter and writes them as safetensors, posting progress. Runs off the extension
 * host's event loop; cancelled by a 'cancel' message (abort signal) or, failing that, by terminate().
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { ArchGraph } from '../pipeline/arch/types';
import { writeSafetensors } from '../pipeline/formats/safetensors';
import { fileSha256, ghnNodeEmbeddings } from '../pipeline/metrics/embed';
import { loadMetricHeads, predictWith, type PredictedMetrics } from '../pipeline/metrics/predicted';
import { collectReport } from '../pipeline/metrics/report';
import { computeStaticMetrics } from '../pipeline/metrics/static';
import { loadGhn, paramStats, predictParameters, setGhnWasmDir } from '../pipeline/ghn/index';
import type { ParamStats } from '../protocol/panel';
import { buildArchGraph } from '../pipeline/python/index';
import type { FromWorker, MetricsRequest, PredictRequest, ToWorker } from './ghnProtocol';

type Ghn = Awaited<ReturnType<typeof loadGhn>>;

const port = parentPort;
if (!port) throw new Error('ghnWorker.js must run as a worker thread');

const STAGES: Record<string, string> = { graph: 'Building the GHN graph', done: 'Done' };

let loaded: { checkpoint: string; ghn: Ghn } | undefined;
const running = new Map<number, AbortController>();

function post(m: FromWorker): void {
  port!.postMessage(m);
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') running.get(m.id)?.abort();
  else if (m.type === 'predict') void predict(m);
  else if (m.type === 'metrics') void metrics(m);
});

const readSource = (f: string) => { try { return readFileSync(f, 'utf8'); } catch { return undefined; } };

async function ghnFor(checkpoint: string, wasmDir: string): Promise<Ghn> {
  if (!loaded || loaded.checkpoint !== checkpoint) {
    setGhnWasmDir(wasmDir);
    loaded = { checkpoint, ghn: await loadGhn(checkpoint) };
  }
  return loaded.ghn;
}

/** The metrics report; the GHN is loaded only when trained heads exist (else predicted metrics say why not). */
async function metrics(req: MetricsRequest): Promise<void> {
  const ac = new AbortController();
  running.set(req.id, ac);
  try {
    const heads = loadMetricHeads(req.headsFile);
    let predict: ((g: ArchGraph) => Promise<PredictedMetrics>) | undefined;
    let unavailableReason: string | undefined;
    if (heads.ok && req.checkpoint) {
      try {
        const ghn = await ghnFor(req.checkpoint, req.wasmDir);
        const identity = { sha256: fileSha256(req.checkpoint), hid: ghn.hid };
        predict = (g) => predictWith(g, heads, (a) => ghnNodeEmbeddings(ghn, a, ac.signal), identity);
      } catch (e) {
        unavailableReason = `could not load the GHN ${req.checkpoint}: ${e instanceof Error ? e.message : String(e)}`;
      }
    } else {
      unavailableReason = heads.ok ? 'no GHN checkpoint' : heads.reason;
    }
    const report = await collectReport<ArchGraph>({
      file: req.file, inputShape: req.inputShape, entries: req.entries,
      build: (entry) => buildArchGraph({ source: req.source, file: req.file, entry, inputShape: req.inputShape, pythonPaths: req.pythonPaths, readFile: readSource }),
      measure: computeStaticMetrics,
      diagnosticsOf: (g) => g.getAttribute('diagnostics') ?? [],
      predict,
      unavailableReason,
    });
    post({ type: 'metrics', id: req.id, report });
  } catch (e) {
    post({ type: 'error', id: req.id, message: e instanceof Error ? e.message : String(e), cancelled: ac.signal.aborted });
  } finally {
    running.delete(req.id);
  }
}

async function predict(req: PredictRequest): Promise<void> {
  const ac = new AbortController();
  running.set(req.id, ac);
  const started = Date.now();
  const progress = (fraction: number, message: string) => post({ type: 'progress', id: req.id, fraction, message });
  try {
    progress(0, 'Building the graph');
    const graph = await buildArchGraph({
      source: req.source, file: req.file, entry: req.entry, inputShape: req.inputShape, pythonPaths: req.pythonPaths,
      readFile: readSource,
    });
    ac.signal.throwIfAborted();
    progress(0.05, 'Loading the GHN');
    const ghn = await ghnFor(req.checkpoint, req.wasmDir);
    ac.signal.throwIfAborted();
    const r = await predictParameters(ghn, graph, {
      signal: ac.signal,
      onProgress: (fraction: number, stage: string) => progress(0.1 + 0.85 * fraction, STAGES[stage] ?? 'Predicting parameters'),
    });
    ac.signal.throwIfAborted();
    progress(0.97, 'Writing safetensors');
    writeSafetensors(req.output, r.tensors, {
      format: 'pt',
      generator: 'ghn-lens',
      entry: req.entry,
      source: req.file,
      not_predicted: JSON.stringify(r.notPredicted),
    });
    let bytes = 0;
    let total = 0;
    const stats: Record<string, ParamStats> = {};
    const predicted = new Set(r.predicted);
    for (const [name, t] of r.tensors) {
      bytes += t.data.byteLength;
      total++;
      if (predicted.has(name)) {
        const s = paramStats(t.data);
        stats[name] = { mean: s.mean, std: s.std, min: s.min, max: s.max, histogram: s.histogram.counts };
      }
    }
    post({ type: 'done', id: req.id, result: {
      output: req.output, predicted: r.predicted.length, notPredicted: r.notPredicted, totalTensors: total, bytes,
      ms: Date.now() - started, warnings: r.warnings, ghnGraph: r.ghnGraph, stats,
    } });
  } catch (e) {
    post({ type: 'error', id: req.id, message: e instanceof Error ? e.message : String(e), cancelled: ac.signal.aborted });
  } finally {
    running.delete(req.id);
  }
}

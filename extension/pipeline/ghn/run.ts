/**
 * Runs the GHN on a prepared graph: embeddings → GatedGNN → LayerNorm → decoders → tiled, normalised tensors.
 */
import type { GhnGraph, PredictTarget } from './graph';
import { biasClass, decode1dBatch, decodeConv, embedNodes, gatedGnn, GhnError, layerNorm, type ConvDecodeSpec, type Ghn } from './network';
import { shapeIndices } from './shapes';
import { normOf, tileInto } from './tile';

export interface RawBlock { shape: number[]; data: Float32Array }

export interface GhnRun {
  shapeInd: Int32Array;
  xEmbed: Float32Array;
  xInit: Float32Array;
  xGnn: Float32Array;
  xLn: Float32Array;
  /** Decoder output per target param, before tiling and normalisation (only with keepRaw). */
  raw: Map<string, RawBlock>;
  /** Final tensors per target param. */
  params: Map<string, Float32Array>;
  timings: Record<string, number>;
}

export interface RunOptions {
  keepRaw?: boolean;
  signal?: AbortSignal;
  onProgress?: (fraction: number, stage: string) => void;
  /** Allocates the output array of a target (lets callers write into their own buffers). */
  alloc?: (t: PredictTarget) => Float32Array;
}

/** A Float32Array for a caller that writes every value: not zero-filled (Buffer.allocUnsafeSlow is never pooled). */
export function uninitialised(n: number): Float32Array {
  if (typeof Buffer === 'undefined') return new Float32Array(n);
  const b = Buffer.allocUnsafeSlow(n * 4);
  return new Float32Array(b.buffer, b.byteOffset, n);
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) {
    const e = new Error('GHN prediction cancelled');
    e.name = 'AbortError';
    throw e;
  }
}

/** The conv decoder spec of a 4-D/classifier key (§7.1). */
export function convSpec(key: number[], S: number): ConvDecodeSpec {
  if (key.length === 2) return { nOut: 64, nIn: Math.min(64, key[1]), h: 1, w: 1, cls: true };
  return { nOut: Math.min(64, key[0]), nIn: Math.min(64, key[1]), h: Math.min(key[2], S), w: Math.min(key[3], S), cls: false };
}

export async function runGhn(g: Ghn, graph: GhnGraph, targets: PredictTarget[], opts: RunOptions = {}): Promise<GhnRun> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    timings[name] = (timings[name] ?? 0) + now - t;
    t = now;
  };
  const N = graph.nodes.length;
  if (N === 0) throw new GhnError('empty GHN graph');
  const shapeInd = shapeIndices(graph.nodes.map((n) => n.shape), g.numClasses, g.S);
  const { xEmbed, xInit } = embedNodes(g, graph.nodes.map((n) => n.op), shapeInd);
  lap('embed');
  checkAbort(opts.signal);
  const xGnn = gatedGnn(g, xInit, N, graph.edges);
  const xLn = layerNorm(g, xGnn, N);
  lap('gnn');
  opts.onProgress?.(0.1, 'gnn');
  checkAbort(opts.signal);

  // Raw decoder outputs, batched by decoder spec.
  const raw = new Map<string, RawBlock>();
  const rawByTarget: RawBlock[] = new Array(targets.length);
  const d1 = new Map<number, Float32Array>();
  const oneDNodes = [...new Set(targets.filter((tg) => tg.key.length === 3 || (tg.key.length === 2 && tg.key[1] <= 0)).map((tg) => tg.node))];
  (await decode1dBatch(g, xLn, oneDNodes)).forEach((o, j) => d1.set(oneDNodes[j], o));
  const oneD = (node: number): Float32Array => d1.get(node)!;
  const groups = new Map<string, { spec: ConvDecodeSpec; nodes: number[]; targets: number[] }>();
  targets.forEach((tg, j) => {
    const k = tg.key;
    if (k.length === 2 && k[1] <= 0) {
      const o = oneD(tg.node);
      const half = o.length / 2;
      const row = tg.isWeight ? 0 : 1;
      if (k[1] === 0) rawByTarget[j] = { shape: [half], data: o.slice(row * half, (row + 1) * half) };
      else {
        const bc = biasClass(g, o);
        rawByTarget[j] = { shape: [g.numClasses], data: bc.slice(row * g.numClasses, (row + 1) * g.numClasses) };
      }
    } else if (k.length === 3) {
      rawByTarget[j] = { shape: [oneD(tg.node).length, 1, 1], data: oneD(tg.node) };
    } else if (k.length === 2 || k.length === 4) {
      const spec = convSpec(k, g.S);
      const id = JSON.stringify(spec);
      let gr = groups.get(id);
      if (!gr) { gr = { spec, nodes: [], targets: [] }; groups.set(id, gr); }
      gr.nodes.push(tg.node);
      gr.targets.push(j);
    } else throw new GhnError(`unsupported decoder key ${JSON.stringify(k)} for ${tg.param}`);
  });
  lap('decode1d');
  let done = 0;
  const total = [...groups.values()].reduce((a, gr) => a + gr.nodes.length * gr.spec.h * gr.spec.w, 0) || 1;
  for (const gr of groups.values()) {
    checkAbort(opts.signal);
    // Each node appears once per group even if it predicts two targets.
    const uniq = [...new Set(gr.nodes)];
    const outs = await decodeConv(g, xLn, uniq, gr.spec);
    const s = gr.spec;
    const shape = s.cls ? [g.numClasses, s.nIn] : [s.nOut, s.nIn, s.h, s.w];
    gr.targets.forEach((j, q) => {
      rawByTarget[j] = { shape, data: outs[uniq.indexOf(gr.nodes[q])] };
    });
    done += uniq.length * s.h * s.w;
    opts.onProgress?.(0.1 + 0.7 * (done / total), 'decoder');
  }
  lap('decoder');

  const params = new Map<string, Float32Array>();
  targets.forEach((tg, j) => {
    const rb = rawByTarget[j];
    if (opts.keepRaw) raw.set(tg.param, rb);
    const numel = tg.shape.reduce((a, b) => a * b, 1);
    const out = opts.alloc ? opts.alloc(tg) : uninitialised(numel);
    tileInto(out, tg.shape, rb.data, rb.shape, normOf(tg.shape, tg.isWeight));
    params.set(tg.param, out);
  });
  lap('tile');
  opts.onProgress?.(0.95, 'tile');
  return { shapeInd, xEmbed, xInit, xGnn, xLn, raw, params, timings };
}

/**
 * The GHN-2 network (doc §5–§7): embeddings, shape encoder, gated GNN, layer norm and the decoders.
 *
 * Where the math runs:
 * - Embeddings, the GatedGNN sweep, LayerNorm and bias_class run in plain JS (float64
 *   accumulation, stored as float32). The sweep is sequential over nodes with 32-wide vectors: for ResNet-50
 *   (127 nodes, 7953 edges) it is about 2 M multiply-adds, which plain loops finish in a few ms, whereas
 *   ~500 tiny tfjs kernel launches per sweep would cost more than the math.
 * - decoder_1d (all 1-D nodes in one batch) and ConvDecoder (fc → conv.0 → conv.2: ~1.08 M MACs per kernel
 *   position) run in tfjs (wasm/XNNPACK),
 *   batched per decoder shape, with weights pre-transposed to [in, out] (transposed-B matmuls are ~8× slower
 *   on the wasm backend) and only the rows each shape needs gathered (fc rows for h'×w' positions,
 *   conv.2 rows for the n_out × n_in channels).
 */
import type * as TF from '@tensorflow/tfjs-core';
import type { Checkpoint, GhnConfig } from '../formats/checkpoint';
import { channelTable, spatialTable } from './shapes';
import { tfReady } from './backend';

export class GhnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GhnError';
  }
}

interface Dense { w: Float32Array; b: Float32Array; out: number; in: number }

export interface Ghn {
  config: GhnConfig;
  /** 'checkpoint path' or a label. */
  source: string;
  hid: number;
  /** Max spatial size S of the conv decoder (11 or 16). */
  S: number;
  numClasses: number;
  nChannels: number;
  nSpatial: number;
  embed: Float32Array;
  embedChannel: Float32Array;
  embedSpatial: Float32Array;
  mlp: [Dense, Dense];
  mlpVe: [Dense, Dense] | null;
  gru: { wih: Float32Array; whh: Float32Array; bih: Float32Array; bhh: Float32Array };
  ln: { w: Float32Array; b: Float32Array } | null;
  dec1d: [Dense, Dense];
  biasClass: Dense;
  /** tfjs side, created lazily. */
  tfw?: DecoderTensors;
  epoch?: number;
}

interface DecoderTensors {
  tf: typeof TF;
  fcT: TF.Tensor2D; // [hid, 128·S·S]
  fcB: TF.Tensor1D;
  c0T: TF.Tensor2D; // [128, 256]
  c0B: TF.Tensor1D;
  c2T: TF.Tensor2D; // [256, 4096]
  c2B: TF.Tensor1D;
  clsW: TF.Tensor2D; // [numClasses, 64]
  clsB: TF.Tensor2D; // [numClasses, 1]
  d1aT: TF.Tensor2D; // decoder_1d.fc.0, [hid, 2·hid]
  d1aB: TF.Tensor1D;
  d1bT: TF.Tensor2D; // decoder_1d.fc.2, [2·hid, 4·hid]
  d1bB: TF.Tensor1D;
  fcSel: Map<string, { w: TF.Tensor2D; b: TF.Tensor1D }>;
  c2Sel: Map<string, { w: TF.Tensor2D; b: TF.Tensor1D }>;
  hidFc: number; // 128
  outCh: number; // 64
}

function need(ck: Checkpoint, key: string, shape: number[], file: string): Float32Array {
  const t = ck.stateDict.get(key);
  if (!t) throw new GhnError(`${file}: GHN state_dict lacks '${key}'`);
  const n = shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== n || t.shape.length !== shape.length || t.shape.some((d, i) => shape[i] >= 0 && d !== shape[i])) {
    throw new GhnError(`${file}: '${key}' has shape [${t.shape}] but the config needs [${shape}]`);
  }
  return t.data;
}

function dense(ck: Checkpoint, prefix: string, out: number, inp: number, file: string): Dense {
  return { w: need(ck, `${prefix}.weight`, [out, inp], file), b: need(ck, `${prefix}.bias`, [out], file), out, in: inp };
}

/** Builds the network from a checkpoint, checking every tensor the config implies. */
export function ghnFromCheckpoint(ck: Checkpoint, source: string): Ghn {
  const c = ck.config;
  const hid = c.hid;
  const S = c.max_shape[2];
  if (c.max_shape[3] !== S) throw new GhnError(`${source}: non-square max_shape ${JSON.stringify(c.max_shape)} is not supported`);
  if (c.max_shape[0] !== 64 || c.max_shape[1] !== 64) throw new GhnError(`${source}: max_shape channels must be 64×64 (GHN-2), got ${c.max_shape}`);
  const nChannels = channelTable(c.num_classes).length;
  const nSpatial = spatialTable(S).length;
  const e = hid / 4;
  const mlpHid = c.ve ? hid / 2 : hid;
  const g: Ghn = {
    config: c,
    source,
    hid,
    S,
    numClasses: c.num_classes,
    nChannels,
    nSpatial,
    embed: need(ck, 'embed.weight', [15, hid], source),
    embedChannel: need(ck, 'shape_enc.embed_channel.weight', [nChannels + 1, e], source),
    embedSpatial: need(ck, 'shape_enc.embed_spatial.weight', [nSpatial + 1, e], source),
    mlp: [dense(ck, 'gnn.mlp.fc.0', mlpHid, hid, source), dense(ck, 'gnn.mlp.fc.2', hid, mlpHid, source)],
    mlpVe: c.ve ? [dense(ck, 'gnn.mlp_ve.fc.0', mlpHid, hid, source), dense(ck, 'gnn.mlp_ve.fc.2', hid, mlpHid, source)] : null,
    gru: {
      wih: need(ck, 'gnn.gru.weight_ih', [3 * hid, hid], source),
      whh: need(ck, 'gnn.gru.weight_hh', [3 * hid, hid], source),
      bih: need(ck, 'gnn.gru.bias_ih', [3 * hid], source),
      bhh: need(ck, 'gnn.gru.bias_hh', [3 * hid], source),
    },
    ln: c.layernorm ? { w: need(ck, 'ln.weight', [hid], source), b: need(ck, 'ln.bias', [hid], source) } : null,
    dec1d: [dense(ck, 'decoder_1d.fc.0', 2 * hid, hid, source), dense(ck, 'decoder_1d.fc.2', 4 * hid, 2 * hid, source)],
    biasClass: dense(ck, 'bias_class.1', c.num_classes, 2 * hid, source),
    epoch: ck.epoch,
  };
  // Conv decoder shapes are checked here too, so a bad file fails at load, not mid-prediction.
  need(ck, 'decoder.fc.0.weight', [128 * S * S, hid], source);
  need(ck, 'decoder.fc.0.bias', [128 * S * S], source);
  need(ck, 'decoder.conv.0.weight', [256, 128, 1, 1], source);
  need(ck, 'decoder.conv.0.bias', [256], source);
  need(ck, 'decoder.conv.2.weight', [4096, 256, 1, 1], source);
  need(ck, 'decoder.conv.2.bias', [4096], source);
  need(ck, 'decoder.class_layer_predictor.1.weight', [c.num_classes, 64, 1, 1], source);
  need(ck, 'decoder.class_layer_predictor.1.bias', [c.num_classes], source);
  if (!c.weight_norm) throw new GhnError(`${source}: weight_norm=false GHNs are not supported (GHN-2 uses weight_norm=true)`);
  decoderSource.set(g, ck);
  return g;
}

const decoderSource = new WeakMap<Ghn, Checkpoint>();

/** Creates (once) the tfjs tensors of the conv decoder. */
export async function decoderTensors(g: Ghn): Promise<DecoderTensors> {
  if (g.tfw) return g.tfw;
  const tf = await tfReady();
  const ck = decoderSource.get(g);
  if (!ck) throw new GhnError('GHN decoder weights are gone');
  const t = (k: string): Float32Array => ck.stateDict.get(k)!.data;
  const S = g.S;
  const d = tf.tidy(() => ({
    fcT: tf.keep(tf.transpose(tf.tensor2d(t('decoder.fc.0.weight'), [128 * S * S, g.hid]))),
    fcB: tf.keep(tf.tensor1d(t('decoder.fc.0.bias'))),
    c0T: tf.keep(tf.transpose(tf.tensor2d(t('decoder.conv.0.weight'), [256, 128]))),
    c0B: tf.keep(tf.tensor1d(t('decoder.conv.0.bias'))),
    c2T: tf.keep(tf.transpose(tf.tensor2d(t('decoder.conv.2.weight'), [4096, 256]))),
    c2B: tf.keep(tf.tensor1d(t('decoder.conv.2.bias'))),
    clsW: tf.keep(tf.tensor2d(t('decoder.class_layer_predictor.1.weight'), [g.numClasses, 64])),
    clsB: tf.keep(tf.tensor2d(t('decoder.class_layer_predictor.1.bias'), [g.numClasses, 1])),
    d1aT: tf.keep(tf.transpose(tf.tensor2d(g.dec1d[0].w, [g.dec1d[0].out, g.dec1d[0].in]))),
    d1aB: tf.keep(tf.tensor1d(g.dec1d[0].b)),
    d1bT: tf.keep(tf.transpose(tf.tensor2d(g.dec1d[1].w, [g.dec1d[1].out, g.dec1d[1].in]))),
    d1bB: tf.keep(tf.tensor1d(g.dec1d[1].b)),
  }));
  g.tfw = { tf, ...d, fcSel: new Map(), c2Sel: new Map(), hidFc: 128, outCh: 64 };
  return g.tfw;
}

/** Frees the tfjs tensors of a GHN. */
export function disposeGhn(g: Ghn): void {
  const d = g.tfw;
  if (!d) return;
  for (const x of [d.fcT, d.fcB, d.c0T, d.c0B, d.c2T, d.c2B, d.clsW, d.clsB, d.d1aT, d.d1aB, d.d1bT, d.d1bB]) x.dispose();
  for (const m of [d.fcSel, d.c2Sel]) for (const v of m.values()) { v.w.dispose(); v.b.dispose(); }
  g.tfw = undefined;
}

// ---------------------------------------------------------------------------------------------------
// Embeddings (§5)

/** x_embed = embed[op]; x_init = x_embed + [ch[c_out], ch[c_in], sp[h], sp[w]]. Both [N, hid]. */
export function embedNodes(g: Ghn, nodeTypes: ArrayLike<number>, shapeInd: Int32Array): { xEmbed: Float32Array; xInit: Float32Array } {
  const N = nodeTypes.length;
  const H = g.hid;
  const e = H / 4;
  const xEmbed = new Float32Array(N * H);
  const xInit = new Float32Array(N * H);
  for (let v = 0; v < N; v++) {
    const op = nodeTypes[v];
    if (!(op >= 0 && op < 15)) throw new GhnError(`node ${v} has primitive id ${op}`);
    for (let k = 0; k < H; k++) xEmbed[v * H + k] = g.embed[op * H + k];
    for (let part = 0; part < 4; part++) {
      const idx = shapeInd[v * 4 + part];
      const table = part < 2 ? g.embedChannel : g.embedSpatial;
      for (let k = 0; k < e; k++) xInit[v * H + part * e + k] = xEmbed[v * H + part * e + k] + table[idx * e + k];
    }
  }
  return { xEmbed, xInit };
}

// ---------------------------------------------------------------------------------------------------
// Gated GNN (§6)

function mlp2(m: [Dense, Dense], x: Float64Array, xo: number, out: Float64Array, oo: number, tmp: Float64Array): void {
  const [a, b] = m;
  denseRelu(a.w, a.b, a.out, a.in, x, xo, tmp, 0);
  denseRelu(b.w, b.b, b.out, b.in, tmp, 0, out, oo);
}

/**
 * out[oo + j] = ReLU(bias[j] + Σ_k w[j, k]·x[xo + k]), each sum accumulated in k order (float64). Four rows at
 * a time: four independent addition chains instead of one latency-bound chain, the same sums bit for bit.
 */
function denseRelu(w: Float32Array, bias: Float32Array, nOut: number, nIn: number, x: Float64Array, xo: number, out: Float64Array, oo: number): void {
  let j = 0;
  for (; j + 4 <= nOut; j += 4) {
    let s0 = bias[j], s1 = bias[j + 1], s2 = bias[j + 2], s3 = bias[j + 3];
    const w0 = j * nIn, w1 = w0 + nIn, w2 = w1 + nIn, w3 = w2 + nIn;
    for (let k = 0; k < nIn; k++) {
      const xk = x[xo + k];
      s0 += w[w0 + k] * xk; s1 += w[w1 + k] * xk; s2 += w[w2 + k] * xk; s3 += w[w3 + k] * xk;
    }
    out[oo + j] = s0 > 0 ? s0 : 0; out[oo + j + 1] = s1 > 0 ? s1 : 0; out[oo + j + 2] = s2 > 0 ? s2 : 0; out[oo + j + 3] = s3 > 0 ? s3 : 0;
  }
  for (; j < nOut; j++) {
    let s = bias[j];
    const wo = j * nIn;
    for (let k = 0; k < nIn; k++) s += w[wo + k] * x[xo + k];
    out[oo + j] = s > 0 ? s : 0;
  }
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/*
 * The per-node steps are top-level functions taking plain arguments, not closures created per call nor
 * methods of a per-call state object: optimised code that embeds one call's closures or object maps is
 * thrown away ("weak objects" deopts) once the prediction's garbage is collected, and re-optimising on every
 * prediction made the GNN ~3× slower than warm.
 */

/** Messages are functions of the sender's state only: refresh node u's cached MLP outputs after its state changes. */
function refreshNode(g: Ghn, h: Float64Array, u: number, mlpOut: Float64Array, veOut: Float64Array, tmp: Float64Array): void {
  const H = g.hid;
  mlp2(g.mlp, h, u * H, mlpOut, u * H, tmp);
  if (g.mlpVe) mlp2(g.mlpVe, h, u * H, veOut, u * H, tmp);
}

/** Aggregates node v's messages over its neighbours nbr[start[v]..start[v+1]) and applies the GRU cell. */
function gruNode(
  g: Ghn, h: Float64Array, v: number, start: Int32Array, nbr: Int32Array, wt: Float64Array,
  mlpOut: Float64Array, veOut: Float64Array, m: Float64Array, gi: Float64Array, gh: Float64Array,
): void {
  const H = g.hid;
  const { wih, whh, bih, bhh } = g.gru;
  const ve = g.mlpVe !== null;
  m.fill(0);
  for (let p = start[v]; p < start[v + 1]; p++) {
    const u = nbr[p] * H;
    const w = wt[p];
    if (w === 1) for (let k = 0; k < H; k++) m[k] += mlpOut[u + k];
    if (ve) {
      const inv = 1 / w;
      for (let k = 0; k < H; k++) m[k] += veOut[u + k] * inv;
    }
  }
  const ho = v * H;
  // Four rows at a time (eight independent addition chains; each sum still in k order).
  let j = 0;
  for (; j + 4 <= 3 * H; j += 4) {
    let a0 = bih[j], b0 = bhh[j], a1 = bih[j + 1], b1 = bhh[j + 1];
    let a2 = bih[j + 2], b2 = bhh[j + 2], a3 = bih[j + 3], b3 = bhh[j + 3];
    const w0 = j * H, w1 = w0 + H, w2 = w1 + H, w3 = w2 + H;
    for (let k = 0; k < H; k++) {
      const mk = m[k], hk = h[ho + k];
      a0 += wih[w0 + k] * mk; b0 += whh[w0 + k] * hk;
      a1 += wih[w1 + k] * mk; b1 += whh[w1 + k] * hk;
      a2 += wih[w2 + k] * mk; b2 += whh[w2 + k] * hk;
      a3 += wih[w3 + k] * mk; b3 += whh[w3 + k] * hk;
    }
    gi[j] = a0; gh[j] = b0; gi[j + 1] = a1; gh[j + 1] = b1;
    gi[j + 2] = a2; gh[j + 2] = b2; gi[j + 3] = a3; gh[j + 3] = b3;
  }
  for (; j < 3 * H; j++) {
    let a = bih[j], b = bhh[j];
    const wo = j * H;
    for (let k = 0; k < H; k++) { a += wih[wo + k] * m[k]; b += whh[wo + k] * h[ho + k]; }
    gi[j] = a; gh[j] = b;
  }
  for (let k = 0; k < H; k++) {
    const r = sigmoid(gi[k] + gh[k]);
    const z = sigmoid(gi[H + k] + gh[H + k]);
    const n = Math.tanh(gi[2 * H + k] + r * gh[2 * H + k]);
    h[ho + k] = (1 - z) * n + z * h[ho + k];
  }
}

/**
 * One forward sweep (nodes 0..N−1) then one backward sweep, sequential and in place (§6).
 * `edges` holds [src, dst, w] triples. Returns the node states [N, hid] as float32.
 */
export function gatedGnn(g: Ghn, xInit: Float32Array, N: number, edges: ArrayLike<number>): Float32Array {
  const H = g.hid;
  const E = edges.length / 3;
  // CSR by destination (forward) and by source (backward).
  const inStart = new Int32Array(N + 1);
  const outStart = new Int32Array(N + 1);
  for (let e = 0; e < E; e++) {
    inStart[edges[e * 3 + 1] + 1]++;
    outStart[edges[e * 3] + 1]++;
  }
  for (let v = 0; v < N; v++) { inStart[v + 1] += inStart[v]; outStart[v + 1] += outStart[v]; }
  const inSrc = new Int32Array(E), inW = new Float64Array(E), outDst = new Int32Array(E), outW = new Float64Array(E);
  const fi = inStart.slice(0, N), fo = outStart.slice(0, N);
  for (let e = 0; e < E; e++) {
    const s = edges[e * 3], d = edges[e * 3 + 1], w = edges[e * 3 + 2];
    if (!(s >= 0 && s < N && d >= 0 && d < N && w >= 1)) throw new GhnError(`edge ${e} (${s}→${d}, ${w}) is out of range`);
    inSrc[fi[d]] = s; inW[fi[d]++] = w;
    outDst[fo[s]] = d; outW[fo[s]++] = w;
  }
  // MLP(h_u), MLP_ve(h_u) are cached per node and refreshed whenever its state changes: messages then
  // always see current states.
  const h = Float64Array.from(xInit);
  const mlpOut = new Float64Array(N * H);
  const veOut = new Float64Array(N * H);
  const tmp = new Float64Array(2 * H);
  const m = new Float64Array(H);
  const gi = new Float64Array(3 * H);
  const gh = new Float64Array(3 * H);
  for (let u = 0; u < N; u++) refreshNode(g, h, u, mlpOut, veOut, tmp);
  for (let v = 0; v < N; v++) {
    gruNode(g, h, v, inStart, inSrc, inW, mlpOut, veOut, m, gi, gh);
    refreshNode(g, h, v, mlpOut, veOut, tmp);
  }
  for (let v = N - 1; v >= 0; v--) {
    gruNode(g, h, v, outStart, outDst, outW, mlpOut, veOut, m, gi, gh);
    refreshNode(g, h, v, mlpOut, veOut, tmp);
  }
  return Float32Array.from(h);
}

/** LayerNorm over the hid features (eps 1e-5, biased variance). */
export function layerNorm(g: Ghn, x: Float32Array, N: number): Float32Array {
  if (!g.ln) return x;
  const H = g.hid;
  const out = new Float32Array(N * H);
  for (let v = 0; v < N; v++) {
    let mu = 0;
    for (let k = 0; k < H; k++) mu += x[v * H + k];
    mu /= H;
    let va = 0;
    for (let k = 0; k < H; k++) va += (x[v * H + k] - mu) ** 2;
    va /= H;
    const inv = 1 / Math.sqrt(va + 1e-5);
    for (let k = 0; k < H; k++) out[v * H + k] = (x[v * H + k] - mu) * inv * g.ln.w[k] + g.ln.b[k];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// decoder_1d and bias_class (§7.2)

/**
 * decoder_1d for many nodes at once in tfjs (two matmuls instead of per-node JS loops that run cold the
 * first time). Returns one 128-vector per requested node, in order.
 */
export async function decode1dBatch(g: Ghn, z: Float32Array, rows: number[]): Promise<Float32Array[]> {
  if (!rows.length) return [];
  const d = await decoderTensors(g);
  const { tf } = d;
  const H = g.hid;
  const zb = new Float32Array(rows.length * H);
  rows.forEach((r, j) => zb.set(z.subarray(r * H, r * H + H), j * H));
  const out = tf.tidy(() => {
    const h = tf.relu(tf.add(tf.matMul(tf.tensor2d(zb, [rows.length, H]), d.d1aT), d.d1aB));
    return tf.add(tf.matMul(h, d.d1bT), d.d1bB);
  });
  const data = out.dataSync() as Float32Array;
  out.dispose();
  const w = g.dec1d[1].out;
  return rows.map((_, j) => data.subarray(j * w, (j + 1) * w));
}

/** bias_class(ReLU(o)) for both rows of the [2, 64] decoder_1d output: [2, numClasses]. */
export function biasClass(g: Ghn, o: Float32Array): Float32Array {
  const d = g.biasClass;
  const out = new Float32Array(2 * d.out);
  for (let r = 0; r < 2; r++) {
    for (let j = 0; j < d.out; j++) {
      let s = d.b[j];
      for (let k = 0; k < d.in; k++) {
        const x = o[r * d.in + k];
        if (x > 0) s += d.w[j * d.in + k] * x;
      }
      out[r * d.out + j] = s;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// ConvDecoder (§7.1)

export interface ConvDecodeSpec {
  /** Output rows kept: min(64, ko), or 64 for the classifier. */
  nOut: number;
  /** Input channels kept: min(64, ki). */
  nIn: number;
  /** Spatial crop of the fc output: min(kh, S), min(kw, S). */
  h: number;
  w: number;
  cls: boolean;
}

/**
 * Decodes a batch of node embeddings with one decoder spec. Returns, per node, the raw block:
 * 4-D [nOut, nIn, h, w] for weights, or [numClasses, nIn] for the classifier.
 * Only the needed fc rows and conv.2 rows are computed: the result equals the reference's W[:nOut, :nIn]
 * (§11: the reference's crash for some nIn is an artefact of its index trick, not of the math).
 */
export async function decodeConv(g: Ghn, z: Float32Array, rows: number[], spec: ConvDecodeSpec): Promise<Float32Array[]> {
  const d = await decoderTensors(g);
  const { tf } = d;
  const S = g.S;
  const B = rows.length;
  const P = spec.h * spec.w;
  const fk = `${spec.h}x${spec.w}`;
  let fc = d.fcSel.get(fk);
  if (!fc) {
    const idx = new Int32Array(P * d.hidFc);
    for (let y = 0; y < spec.h; y++) for (let x = 0; x < spec.w; x++) for (let c = 0; c < d.hidFc; c++) idx[(y * spec.w + x) * d.hidFc + c] = c * S * S + y * S + x;
    const it = tf.tensor1d(idx, 'int32');
    fc = { w: tf.gather(d.fcT, it, 1) as TF.Tensor2D, b: tf.gather(d.fcB, it) as TF.Tensor1D };
    it.dispose();
    d.fcSel.set(fk, fc);
  }
  const R = spec.nOut * spec.nIn;
  const ck = `${spec.nOut}x${spec.nIn}`;
  let c2 = d.c2Sel.get(ck);
  if (!c2) {
    if (R === 4096) c2 = { w: d.c2T, b: d.c2B };
    else {
      const idx = new Int32Array(R);
      for (let o = 0; o < spec.nOut; o++) for (let i = 0; i < spec.nIn; i++) idx[o * spec.nIn + i] = o * 64 + i;
      const it = tf.tensor1d(idx, 'int32');
      c2 = { w: tf.gather(d.c2T, it, 1) as TF.Tensor2D, b: tf.gather(d.c2B, it) as TF.Tensor1D };
      it.dispose();
    }
    d.c2Sel.set(ck, c2);
  }
  const H = g.hid;
  const zb = new Float32Array(B * H);
  rows.forEach((r, j) => zb.set(z.subarray(r * H, r * H + H), j * H));
  const out = tf.tidy(() => {
    const f = tf.reshape(tf.relu(tf.add(tf.matMul(tf.tensor2d(zb, [B, H]), fc.w), fc.b)), [B * P, d.hidFc]);
    const h1 = tf.relu(tf.add(tf.matMul(f, d.c0T), d.c0B));
    const W = tf.add(tf.matMul(h1, c2.w), c2.b); // [B·P, nOut·nIn], pixel-major
    if (spec.cls) {
      // [B, 64, nIn] → ReLU → class_layer_predictor (1×1 conv over the 64 rows) → [B, numClasses, nIn]
      const Wr = tf.relu(tf.reshape(W, [B, spec.nOut, spec.nIn]));
      const per = [];
      for (let b = 0; b < B; b++) per.push(tf.add(tf.matMul(d.clsW, tf.reshape(tf.slice(Wr, [b, 0, 0], [1, spec.nOut, spec.nIn]), [spec.nOut, spec.nIn])), d.clsB));
      return tf.stack(per);
    }
    // → [B, nOut, nIn, P]
    return tf.transpose(tf.reshape(W, [B, P, R]), [0, 2, 1]);
  });
  const data = out.dataSync() as Float32Array;
  out.dispose();
  const per = spec.cls ? g.numClasses * spec.nIn : R * P;
  return rows.map((_, j) => data.subarray(j * per, (j + 1) * per));
}

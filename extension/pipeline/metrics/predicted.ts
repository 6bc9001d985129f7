/**
 * Predicted quality metrics: small heads (linear or tiny MLP) on the GHN's graph embedding.
 *
 * The graph embedding is the mean over nodes of the GHN's node embeddings after its final LayerNorm
 * (x_ln, the decoders' input; as the GHN-2 paper does for property prediction). The heads are trained in
 * `training/metrics/train_heads.py` on ground truth measured by `training/metrics/ground_truth.py`
 * (training and timing a few hundred sampled architectures) and written to `media/ghn/metric-heads.json`
 * together with their held-out Kendall τ and MAE and the held-out predictions.
 *
 * Without that file (or with heads made for another GHN checkpoint) nothing is predicted: callers get
 * `{ available: false, reason }` and must show "not available", never a number.
 */
import { existsSync, readFileSync } from 'node:fs';

export const METRIC_HEADS_FORMAT = 'ghn-lens-metric-heads';
export const METRIC_HEADS_VERSION = 1;
/** Where the bundled heads live, relative to the extension's root. */
export const METRIC_HEADS_FILE = 'media/ghn/metric-heads.json';

export type MetricName = 'accuracy' | 'inferenceMs' | 'convergenceSteps';
export const METRIC_NAMES: readonly MetricName[] = ['accuracy', 'inferenceMs', 'convergenceSteps'];

export interface HeadLayer {
  /** [out][in] */
  weight: number[][];
  bias: number[];
  activation: 'relu' | 'none';
}

export interface HeldOutQuality {
  /** Number of held-out architectures. */
  n: number;
  /** Kendall τ-b between predictions and measured values on the held-out architectures. */
  kendallTau: number;
  /** Mean absolute error in the metric's unit. */
  mae: number;
  /** The heads' predictions for the held-out architectures (metric units), to rank a new prediction. */
  predictions: number[];
  /** The measured values of the same architectures. */
  targets: number[];
}

export interface MetricHead {
  label: string;
  /** '%', 'ms', 'steps'. */
  unit: string;
  /** What exactly was measured (task, budget, device), shown in tooltips. */
  description: string;
  higherIsBetter: boolean;
  /** Standardisation of the embedding (per dimension) before the first layer. */
  input: { mean: number[]; std: number[] };
  layers: HeadLayer[];
  /** The head predicts (t − mean) / std where t = target or log(target). */
  target: { transform: 'identity' | 'log'; mean: number; std: number };
  heldOut: HeldOutQuality;
  /** How many architectures the head was fitted on. */
  trainN: number;
}

export interface MetricHeads {
  format: typeof METRIC_HEADS_FORMAT;
  version: number;
  /** The GHN whose embeddings the heads read. */
  ghn: { checkpoint: string; sha256?: string; hid: number };
  task: { dataset: string; inputShape: number[]; [k: string]: unknown };
  createdAt?: string;
  heads: Partial<Record<MetricName, MetricHead>>;
}

export interface PredictedMetric {
  name: MetricName;
  label: string;
  value: number;
  unit: string;
  /** Held-out MAE: the typical error of such a prediction. */
  mae: number;
  kendallTau: number;
  heldOutN: number;
  /**
   * Where the prediction falls among the held-out architectures' predictions: the fraction (0–1) of them
   * that this one beats (higher accuracy, lower time, fewer steps).
   */
  percentile: number;
  description: string;
  /**
   * Set when the head's raw output fell outside the values measured on the held-out architectures: `value`
   * is then that range's bound, shown as "> bound" / "< bound" (a regression head extrapolates freely, and a
   * figure beyond anything measured would claim more than the data supports).
   */
  beyond?: 'above' | 'below';
  /** The head's output before clamping. */
  raw?: number;
}

export type PredictedMetrics =
  | { available: true; metrics: PredictedMetric[]; heads: string; omitted?: { name: MetricName; reason: string }[] }
  | { available: false; reason: string };

/**
 * The bar a head must pass on held-out architectures before its predictions are shown: below it the
 * metric is reported as not available (with the measured τ as the reason), never as a number.
 */
export interface QualityBar { minKendallTau: number; minHeldOut: number }
export const DEFAULT_QUALITY_BAR: QualityBar = { minKendallTau: 0.3, minHeldOut: 20 };

export class MetricHeadsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricHeadsError';
  }
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isNumArray = (x: unknown, n?: number): x is number[] => Array.isArray(x) && x.every(isNum) && (n === undefined || x.length === n);

/** Validates a parsed metric-heads JSON; throws MetricHeadsError naming what is wrong. */
export function parseMetricHeads(json: unknown): MetricHeads {
  const fail = (m: string): never => { throw new MetricHeadsError(`metric heads: ${m}`); };
  if (!json || typeof json !== 'object') fail('not a JSON object');
  const o = json as Record<string, unknown>;
  if (o.format !== METRIC_HEADS_FORMAT) fail(`format is ${JSON.stringify(o.format)}, expected "${METRIC_HEADS_FORMAT}"`);
  if (o.version !== METRIC_HEADS_VERSION) fail(`unsupported version ${JSON.stringify(o.version)}`);
  const ghn = o.ghn as MetricHeads['ghn'] | undefined;
  if (!ghn || typeof ghn.checkpoint !== 'string' || !isNum(ghn.hid)) fail('missing ghn {checkpoint, hid}');
  const task = o.task as MetricHeads['task'] | undefined;
  if (!task || typeof task.dataset !== 'string' || !isNumArray(task.inputShape)) fail('missing task {dataset, inputShape}');
  const heads = o.heads as Record<string, unknown> | undefined;
  if (!heads || typeof heads !== 'object') fail('missing heads');
  const hid = ghn!.hid;
  for (const [name, h] of Object.entries(heads!)) {
    if (!(METRIC_NAMES as readonly string[]).includes(name)) fail(`unknown metric "${name}"`);
    const head = h as MetricHead;
    const where = `head ${name}`;
    if (!head || typeof head !== 'object') fail(`${where} is not an object`);
    if (typeof head.label !== 'string' || typeof head.unit !== 'string') fail(`${where}: label/unit`);
    if (!head.input || !isNumArray(head.input.mean, hid) || !isNumArray(head.input.std, hid)) fail(`${where}: input.mean/std must have ${hid} numbers`);
    if (!Array.isArray(head.layers) || head.layers.length === 0) fail(`${where}: no layers`);
    let width = hid;
    head.layers.forEach((l, i) => {
      if (!Array.isArray(l.weight) || !l.weight.every((r) => isNumArray(r, width))) fail(`${where}: layer ${i} weight must be [out][${width}]`);
      if (!isNumArray(l.bias, l.weight.length)) fail(`${where}: layer ${i} bias must have ${l.weight.length} numbers`);
      if (l.activation !== 'relu' && l.activation !== 'none') fail(`${where}: layer ${i} activation`);
      width = l.weight.length;
    });
    if (width !== 1) fail(`${where}: the last layer must have one output`);
    const t = head.target;
    if (!t || (t.transform !== 'identity' && t.transform !== 'log') || !isNum(t.mean) || !isNum(t.std)) fail(`${where}: target`);
    const q = head.heldOut;
    if (!q || !isNum(q.n) || !isNum(q.kendallTau) || !isNum(q.mae) || !isNumArray(q.predictions) || !isNumArray(q.targets)) fail(`${where}: heldOut`);
    if (q.predictions.length !== q.targets.length) fail(`${where}: heldOut predictions/targets differ in length`);
    if (q.predictions.length !== q.n) fail(`${where}: heldOut.n is ${q.n} but ${q.predictions.length} predictions are listed`);
    // The quality figures must be those of the listed held-out predictions (no figure without its evidence).
    const tau = kendallTauB(q.predictions, q.targets);
    const err = meanAbsoluteError(q.predictions, q.targets);
    if (!(Math.abs(tau - q.kendallTau) <= 1e-6)) fail(`${where}: heldOut.kendallTau ${q.kendallTau} does not match its predictions (${tau})`);
    if (!(Math.abs(err - q.mae) <= 1e-6 * Math.max(1, Math.abs(err)))) fail(`${where}: heldOut.mae ${q.mae} does not match its predictions (${err})`);
    if (typeof head.higherIsBetter !== 'boolean') fail(`${where}: higherIsBetter`);
  }
  return o as unknown as MetricHeads;
}

export type MetricHeadsLoad = { ok: true; heads: MetricHeads; file: string } | { ok: false; reason: string };

/** Reads and validates a heads file. A missing or invalid file is a reason, not an exception. */
export function loadMetricHeads(file: string): MetricHeadsLoad {
  if (!existsSync(file)) {
    return { ok: false, reason: `no trained metric heads (${file} does not exist; see training/metrics/README.md)` };
  }
  try {
    return { ok: true, heads: parseMetricHeads(JSON.parse(readFileSync(file, 'utf8'))), file };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Checks that the heads were trained on the embeddings of the GHN in use. Heads read one GHN's embedding
 * space; another checkpoint's embeddings would give meaningless numbers.
 */
export function headsMatchGhn(heads: MetricHeads, ghn: { sha256?: string; hid: number }): string | null {
  if (heads.ghn.hid !== ghn.hid) return `the metric heads expect a GHN with ${heads.ghn.hid}-wide embeddings, the GHN in use has ${ghn.hid}`;
  if (heads.ghn.sha256 && ghn.sha256 && heads.ghn.sha256 !== ghn.sha256) {
    return `the metric heads were trained for another GHN checkpoint (${heads.ghn.checkpoint})`;
  }
  if (heads.ghn.sha256 && !ghn.sha256) return `cannot tell whether the GHN in use is ${heads.ghn.checkpoint}, which the metric heads were trained for`;
  return null;
}

/** Mean over the N nodes of a row-major [N, dim] embedding matrix: the graph embedding. */
export function meanEmbedding(nodes: ArrayLike<number>, n: number, dim: number): Float64Array {
  if (n <= 0 || nodes.length < n * dim) throw new MetricHeadsError(`bad node embeddings: ${nodes.length} values for ${n}×${dim}`);
  const out = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) out[d] += nodes[i * dim + d];
  for (let d = 0; d < dim; d++) out[d] /= n;
  return out;
}

/** The head's output in the metric's unit. */
export function applyHead(head: MetricHead, embedding: ArrayLike<number>): number {
  let x = Array.from(embedding, (v, i) => (v - head.input.mean[i]) / (head.input.std[i] || 1));
  for (const l of head.layers) {
    x = l.weight.map((row, o) => {
      let s = l.bias[o];
      for (let i = 0; i < row.length; i++) s += row[i] * x[i];
      return l.activation === 'relu' ? Math.max(0, s) : s;
    });
  }
  const z = x[0] * head.target.std + head.target.mean;
  return head.target.transform === 'log' ? Math.exp(z) : z;
}

/** Fraction (0–1) of the held-out predictions that `value` beats. */
export function percentileAmong(value: number, others: number[], higherIsBetter: boolean): number {
  if (others.length === 0) return NaN;
  let beaten = 0;
  for (const o of others) {
    if (higherIsBetter ? value > o : value < o) beaten += 1;
    else if (value === o) beaten += 0.5;
  }
  return beaten / others.length;
}

/** Applies every head to one graph embedding. */
export function predictMetrics(embedding: ArrayLike<number>, heads: MetricHeads, source = METRIC_HEADS_FILE,
  bar: QualityBar = DEFAULT_QUALITY_BAR): PredictedMetrics {
  if (embedding.length !== heads.ghn.hid) {
    return { available: false, reason: `embedding has ${embedding.length} values, the heads expect ${heads.ghn.hid}` };
  }
  const metrics: PredictedMetric[] = [];
  const omitted: { name: MetricName; reason: string }[] = [];
  for (const name of METRIC_NAMES) {
    const h = heads.heads[name];
    if (!h) continue;
    if (h.heldOut.n < bar.minHeldOut || !(h.heldOut.kendallTau >= bar.minKendallTau)) {
      omitted.push({ name, reason: `${h.label}: held-out Kendall τ ${h.heldOut.kendallTau.toFixed(2)} over ${h.heldOut.n} architectures `
        + `is below the bar (τ ≥ ${bar.minKendallTau} over ≥ ${bar.minHeldOut})` });
      continue;
    }
    const raw = applyHead(h, embedding);
    const lo = Math.min(...h.heldOut.targets);
    const hi = Math.max(...h.heldOut.targets);
    const beyond = raw > hi ? 'above' : raw < lo ? 'below' : undefined;
    const value = beyond === 'above' ? hi : beyond === 'below' ? lo : raw;
    metrics.push({
      name, label: h.label, value, unit: h.unit, mae: h.heldOut.mae, kendallTau: h.heldOut.kendallTau, heldOutN: h.heldOut.n,
      percentile: percentileAmong(raw, h.heldOut.predictions, h.higherIsBetter), description: h.description,
      ...(beyond ? { beyond, raw } : {}),
    });
  }
  if (!metrics.length) {
    return { available: false, reason: omitted.length ? omitted.map((o) => o.reason).join('; ') : 'the metric heads file has no heads' };
  }
  return { available: true, metrics, heads: source, ...(omitted.length ? { omitted } : {}) };
}

/** Node embeddings of a graph from the GHN: row-major [n, dim], after the final LayerNorm. */
export interface NodeEmbeddings { data: ArrayLike<number>; n: number; dim: number }

/**
 * Predicted metrics of one architecture, given a way to embed it. `embed` is the GHN's
 * (e.g. `(arch) => embedGraph(ghn, arch)`); its errors become reasons, never exceptions.
 */
export async function predictWith<A>(arch: A, heads: MetricHeadsLoad, embed: ((arch: A) => Promise<NodeEmbeddings>) | undefined,
  ghnIdentity?: { sha256?: string; hid: number }, bar: QualityBar = DEFAULT_QUALITY_BAR): Promise<PredictedMetrics> {
  if (!heads.ok) return { available: false, reason: heads.reason };
  if (!embed) return { available: false, reason: 'the GHN does not expose node embeddings in this build' };
  if (ghnIdentity) {
    const mismatch = headsMatchGhn(heads.heads, ghnIdentity);
    if (mismatch) return { available: false, reason: mismatch };
  }
  try {
    const e = await embed(arch);
    return predictMetrics(meanEmbedding(e.data, e.n, e.dim), heads.heads, heads.file, bar);
  } catch (err) {
    return { available: false, reason: `could not embed the architecture with the GHN: ${err instanceof Error ? err.message : String(err)}` };
  }
}

// ---- Display ----

export function formatMetricValue(m: Pick<PredictedMetric, 'value' | 'unit'> & { beyond?: PredictedMetric['beyond'] }): string {
  const b = m.beyond === 'above' ? '>' : m.beyond === 'below' ? '<' : '';
  if (m.unit === '%') return `${b}${m.value.toFixed(1)}%`;
  if (m.unit === 'ms') return b + (m.value >= 100 ? `${m.value.toFixed(0)} ms` : m.value >= 1 ? `${m.value.toFixed(1)} ms` : `${m.value.toFixed(2)} ms`);
  if (m.unit === 'steps') return `${b}${Math.round(m.value)} steps`;
  return `${b}${m.value.toPrecision(3)} ${m.unit}`;
}

/** "acc ≈ 81.2% ±3.1 (τ 0.61)" style pieces for a CodeLens title. */
export function predictedTitle(p: PredictedMetrics): string {
  if (!p.available) return 'predicted metrics: not available';
  const short: Record<MetricName, string> = { accuracy: 'acc', inferenceMs: 'CPU', convergenceSteps: 'conv.' };
  return p.metrics.map((m) => `${short[m.name]} ${m.beyond ? '' : '≈ '}${formatMetricValue(m)}`).join(' · ');
}

/** A tooltip: what was predicted and how well such predictions hold. */
export function predictedTooltip(p: PredictedMetrics): string {
  if (!p.available) return `Predicted metrics not available: ${p.reason}`;
  const notShown = (p.omitted ?? []).map((o) => `Not shown: ${o.reason}.`);
  return [...p.metrics.map((m) => `${m.label}: ${formatMetricValue(m)} (±${formatMetricValue({ value: m.mae, unit: m.unit })} typical error; `
    + `better than ${Math.round(m.percentile * 100)}% of ${m.heldOutN} held-out architectures; `
    + `Kendall τ ${m.kendallTau.toFixed(2)} on them)`
    + (m.beyond ? `; the head said ${formatMetricValue({ value: m.raw ?? m.value, unit: m.unit })}, beyond every measured architecture, so only the bound is shown` : '')
    + `. ${m.description}`), ...notShown].join('\n');
}

// ---- Rank correlation (to evaluate heads; the training side has the same in Python) ----

/**
 * Kendall's τ-b between two equally long samples (ties handled as scipy.stats.kendalltau does).
 * O(n²); NaN when fewer than 2 pairs or when one sample is constant.
 */
export function kendallTauB(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`kendallTauB: lengths differ (${n} vs ${y.length})`);
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[i] - x[j]);
      const dy = Math.sign(y[i] - y[j]);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesX) * (concordant + discordant + tiesY));
  return denom === 0 ? NaN : (concordant - discordant) / denom;
}

export function meanAbsoluteError(pred: ArrayLike<number>, target: ArrayLike<number>): number {
  if (pred.length !== target.length || pred.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += Math.abs(pred[i] - target[i]);
  return s / pred.length;
}

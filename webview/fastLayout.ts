/**
 * A fast layered (Sugiyama-style) layout for big graphs, linear-ish in nodes + edges:
 * ranks by longest path over the execution order, in-rank order and coordinates by alternating
 * barycentre sweeps, each rank placed by isotonic regression (the least-squares placement that keeps
 * nodes apart). Long edges are not split into dummy nodes; they are drawn as Bézier curves bowed aside.
 * ELK gives nicer pictures but takes seconds from ~1,000 nodes; this takes milliseconds at 10,000.
 * Pure; unit-tested in test/unit/webview/fastLayout.test.ts.
 */
import type { Direction, EdgeRoute } from './layoutTypes';

export interface FastLayoutInput {
  widths: ArrayLike<number>;
  heights: ArrayLike<number>;
  /** [s0, t0, s1, t1, ...] node indexes; nodes are in execution order. */
  edges: ArrayLike<number>;
  direction: Direction;
  nodeGap?: number;
  rankGap?: number;
  sweeps?: number;
}

export interface FastLayoutOutput {
  xs: Float32Array;
  ys: Float32Array;
  ranks: Int32Array;
  routes: EdgeRoute[];
  width: number;
  height: number;
}

function csr(n: number, from: Int32Array, to: Int32Array): { start: Int32Array; list: Int32Array } {
  const start = new Int32Array(n + 1);
  for (let i = 0; i < from.length; i++) start[from[i] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const list = new Int32Array(from.length);
  for (let i = 0; i < from.length; i++) list[fill[from[i]]++] = to[i];
  return { start, list };
}

/** Least-squares positions for `desired` keeping consecutive items `minSep[i]` apart (pool adjacent violators). */
export function placeRank(desired: ArrayLike<number>, minSep: ArrayLike<number>): Float64Array {
  const k = desired.length;
  const offset = new Float64Array(k);
  for (let i = 1; i < k; i++) offset[i] = offset[i - 1] + minSep[i];
  const sum: number[] = [];
  const cnt: number[] = [];
  for (let i = 0; i < k; i++) {
    sum.push(desired[i] - offset[i]);
    cnt.push(1);
    while (sum.length > 1 && sum[sum.length - 2] / cnt[cnt.length - 2] > sum[sum.length - 1] / cnt[cnt.length - 1]) {
      const s = sum.pop()!;
      const c = cnt.pop()!;
      sum[sum.length - 1] += s;
      cnt[cnt.length - 1] += c;
    }
  }
  const out = new Float64Array(k);
  let i = 0;
  for (let b = 0; b < sum.length; b++) {
    const v = sum[b] / cnt[b];
    for (let j = 0; j < cnt[b]; j++, i++) out[i] = v + offset[i];
  }
  return out;
}

export function fastLayout(input: FastLayoutInput): FastLayoutOutput {
  const n = input.widths.length;
  const tb = input.direction === 'TB';
  const osize = tb ? input.widths : input.heights;
  const rsize = tb ? input.heights : input.widths;
  const nodeGap = input.nodeGap ?? (tb ? 28 : 18);
  const rankGap = input.rankGap ?? (tb ? 44 : 64);
  const m = input.edges.length / 2;
  const src = new Int32Array(m);
  const dst = new Int32Array(m);
  for (let i = 0; i < m; i++) { src[i] = input.edges[2 * i]; dst[i] = input.edges[2 * i + 1]; }

  // Ranks: longest path over forward edges (source before target in execution order).
  const preds = csr(n, dst, src);
  const succs = csr(n, src, dst);
  const ranks = new Int32Array(n);
  let maxRank = 0;
  for (let v = 0; v < n; v++) {
    let r = 0;
    for (let j = preds.start[v]; j < preds.start[v + 1]; j++) {
      const p = preds.list[j];
      if (p < v && ranks[p] + 1 > r) r = ranks[p] + 1;
    }
    ranks[v] = r;
    if (r > maxRank) maxRank = r;
  }
  const layers: number[][] = Array.from({ length: maxRank + 1 }, () => []);
  for (let v = 0; v < n; v++) layers[ranks[v]].push(v);

  const pos = new Float64Array(n);
  const place = (layer: number[], desired: Float64Array): void => {
    const order = layer.map((v, i) => i).sort((a, b) => desired[a] - desired[b] || pos[layer[a]] - pos[layer[b]] || layer[a] - layer[b]);
    const d = new Float64Array(order.length);
    const sep = new Float64Array(order.length);
    order.forEach((oi, i) => {
      d[i] = desired[oi];
      if (i > 0) sep[i] = (osize[layer[order[i - 1]]] + osize[layer[oi]]) / 2 + nodeGap;
    });
    const x = placeRank(d, sep);
    const sorted = order.map((oi) => layer[oi]);
    sorted.forEach((v, i) => { pos[v] = x[i]; });
    layer.splice(0, layer.length, ...sorted);
  };
  const sweep = (down: boolean): void => {
    const adj = down ? preds : succs;
    for (let k = 0; k <= maxRank; k++) {
      const r = down ? k : maxRank - k;
      const layer = layers[r];
      const desired = new Float64Array(layer.length);
      layer.forEach((v, i) => {
        let s = 0;
        let c = 0;
        for (let j = adj.start[v]; j < adj.start[v + 1]; j++) {
          const u = adj.list[j];
          if (down ? ranks[u] < r : ranks[u] > r) { s += pos[u]; c++; }
        }
        desired[i] = c ? s / c : pos[v];
      });
      place(layer, desired);
    }
  };
  const sweeps = input.sweeps ?? 4;
  for (let s = 0; s < sweeps; s++) sweep(s % 2 === 0);
  if (sweeps % 2 === 0) sweep(true);

  // Rank coordinates.
  const rankStart = new Float64Array(maxRank + 1);
  const rankDepth = new Float64Array(maxRank + 1);
  for (let v = 0; v < n; v++) rankDepth[ranks[v]] = Math.max(rankDepth[ranks[v]], rsize[v]);
  for (let r = 1; r <= maxRank; r++) rankStart[r] = rankStart[r - 1] + rankDepth[r - 1] + rankGap;

  const margin = 24;
  let minO = Infinity;
  let maxO = -Infinity;
  for (let v = 0; v < n; v++) {
    minO = Math.min(minO, pos[v] - osize[v] / 2);
    maxO = Math.max(maxO, pos[v] + osize[v] / 2);
  }
  if (!n) { minO = 0; maxO = 0; }
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  const oc = new Float64Array(n);
  const rc = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    oc[v] = pos[v] - minO + margin;
    rc[v] = rankStart[ranks[v]] + rankDepth[ranks[v]] / 2 + margin;
    xs[v] = tb ? oc[v] : rc[v];
    ys[v] = tb ? rc[v] : oc[v];
  }
  const centre = (maxO - minO) / 2 + margin;
  const routes: EdgeRoute[] = [];
  for (let i = 0; i < m; i++) {
    const s = src[i];
    const t = dst[i];
    const o0 = oc[s];
    const r0 = rc[s] + rsize[s] / 2;
    const o3 = oc[t];
    const r3 = rc[t] - rsize[t] / 2;
    const span = ranks[t] - ranks[s];
    const bend = Math.max(Math.abs(r3 - r0) * 0.5, 24);
    let off = 0;
    if (span > 1 || span < 1) {
      const side = (o0 + o3) / 2 >= centre ? 1 : -1;
      off = side * Math.min(30 + 14 * Math.abs(span), 360);
    }
    const pts = [o0, r0, o0 + off, r0 + bend, o3 + off, r3 - bend, o3, r3];
    if (!tb) for (let j = 0; j < 8; j += 2) { const a = pts[j]; pts[j] = pts[j + 1]; pts[j + 1] = a; }
    routes.push({ points: pts, curve: true });
  }
  let maxR = 0;
  for (let r = 0; r <= maxRank; r++) maxR = Math.max(maxR, rankStart[r] + rankDepth[r]);
  const extentO = maxO - minO + 2 * margin;
  const extentR = (n ? maxR : 0) + 2 * margin;
  return { xs, ys, ranks, routes, width: tb ? extentO : extentR, height: tb ? extentR : extentO };
}

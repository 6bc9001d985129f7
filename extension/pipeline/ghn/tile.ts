/**
 * Tiling/slicing to the target shape (§8) and operation-dependent normalisation (§9), written straight
 * into the output Float32Array.
 *
 * The reference slices the raw block to at most the target, repeats it along dims 0 and 1 and crops, and
 * never tiles spatial dims (a kernel larger than S is repeated 2× by the decoder instead). All of that is
 * `out[o,i,y,x] = raw[o mod r0, i mod r1, y mod r2, x mod r3]`, then one elementwise map. We compute the
 * first block once (with the map applied) and fill the rest with doubling `copyWithin`s (memmove speed).
 *
 * The map is a `Norm` (a kind and a scale), not a closure: one call site fed four different closures is
 * megamorphic, so V8 could not inline it into the per-element loops.
 */

/** Elementwise normalisation: `scale` p·s (s = 1: identity), `gain` 2σ(p/2) (1-D weights), `bias` tanh(0.2p). */
export interface Norm { kind: 'scale' | 'gain' | 'bias'; s: number }

const pad4 = (s: number[]): [number, number, number, number] => {
  const r = [...s, 1, 1, 1, 1].slice(0, 4);
  if (s.length > 4) {
    // Fold trailing dims into the last one: the periodic formula still holds for r[3] = 1 or equal dims.
    r[3] = s.slice(3).reduce((a, b) => a * b, 1);
  }
  return r as [number, number, number, number];
};

/** The normalisation of a parameter of final shape `t` (§9). */
export function normOf(t: number[], isWeight: boolean): Norm {
  if (t.length === 1) return { kind: isWeight ? 'gain' : 'bias', s: 1 };
  if (t.length > 2 && t[0] === 1 && t[2] >= 11) return { kind: 'scale', s: 1 }; // positional encoding
  const fanIn = t.slice(1).reduce((a, b) => a * b, 1);
  const beta = t.length > 2 && (t[1] === 1 || t[2] < t[3]) ? 1 : 2;
  return { kind: 'scale', s: Math.fround(Math.sqrt(beta / fanIn)) };
}

const C02 = Math.fround(0.2);
const gain = (p: number): number => 2 / (1 + Math.exp(-Math.fround(0.5 * p)));
const bias = (p: number): number => Math.tanh(Math.fround(p * C02));

/** The elementwise normalisation for a parameter of final shape `t` (§9), as a function. */
export function normaliser(t: number[], isWeight: boolean): (x: number) => number {
  const n = normOf(t, isWeight);
  if (n.kind === 'gain') return gain;
  if (n.kind === 'bias') return bias;
  const s = n.s;
  return s === 1 ? (p) => p : (p) => p * s;
}

/** `out[o..o+n) = raw[r..r+n)` mapped by `nm`. */
function mapRun(out: Float32Array, o: number, raw: Float32Array, r: number, n: number, nm: Norm): void {
  if (nm.kind === 'scale') {
    const s = nm.s;
    if (s === 1) out.set(raw.subarray(r, r + n), o);
    else for (let k = 0; k < n; k++) out[o + k] = raw[r + k] * s;
  } else {
    const g = nm.kind === 'gain' ? gain : bias;
    for (let k = 0; k < n; k++) out[o + k] = g(raw[r + k]);
  }
}

/** Repeats `a[start, start+period)` until `a[start, start+total)` is full, by doubling copies. */
function repeatFill(a: Float32Array, start: number, period: number, total: number): void {
  let filled = period;
  while (filled < total) {
    const n = Math.min(filled, total - filled);
    a.copyWithin(start + filled, start, start + n);
    filled += n;
  }
}

/** Fills `out` (target shape `t`) from the raw block (shape `r`), applying `f` (a `Norm` or a function) elementwise. */
export function tileInto(out: Float32Array, t: number[], raw: Float32Array, r: number[], f: Norm | ((x: number) => number)): void {
  const [t0, t1, t2, t3] = pad4(t);
  const [r0, r1, r2, r3] = pad4(r);
  const inner = t2 * t3;
  const rowLen = t1 * inner;
  const n0 = Math.min(t0, r0);
  const n1 = Math.min(t1, r1);
  if (out.length !== t0 * rowLen) throw new Error(`tileInto: output has ${out.length} values for shape [${t}]`);
  if (typeof f !== 'function' && t2 === r2 && t3 === r3) {
    // Same spatial extent (every conv kernel ≤ S, every 1-D/2-D tensor): each row's first n1·inner values
    // are one contiguous run of the raw row.
    const run = n1 * inner;
    for (let o = 0; o < n0; o++) {
      mapRun(out, o * rowLen, raw, o * r1 * inner, run, f);
      if (run < rowLen) repeatFill(out, o * rowLen, run, rowLen);
    }
  } else {
    const g = typeof f === 'function' ? f : f.kind === 'gain' ? gain : bias;
    const isScale = typeof f !== 'function' && f.kind === 'scale';
    const scale = isScale ? f.s : 1;
    for (let o = 0; o < n0; o++) {
      const rowStart = o * rowLen;
      for (let i = 0; i < n1; i++) {
        const ob = rowStart + i * inner;
        const rb = (o * r1 + i) * r2 * r3;
        for (let y = 0; y < t2; y++) {
          const ry = rb + (y % r2) * r3;
          const oy = ob + y * t3;
          if (isScale) for (let x = 0; x < t3; x++) out[oy + x] = raw[ry + (x % r3)] * scale;
          else for (let x = 0; x < t3; x++) out[oy + x] = g(raw[ry + (x % r3)]);
        }
      }
      if (n1 < t1) repeatFill(out, rowStart, n1 * inner, rowLen);
    }
  }
  if (n0 < t0) repeatFill(out, 0, n0 * rowLen, t0 * rowLen);
}

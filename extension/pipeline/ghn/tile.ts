/**
 * Tiling/slicing to the target shape (§8) and operation-dependent normalisation (§9), written straight
 * into the output Float32Array.
 *
 * The reference slices the raw block to at most the target, repeats it along dims 0 and 1 and crops, and
 * never tiles spatial dims (a kernel larger than S is repeated 2× by the decoder instead). All of that is
 * `out[o,i,y,x] = raw[o mod r0, i mod r1, y mod r2, x mod r3]`, then one elementwise map. We compute the
 * first block once (with the map applied) and fill the rest with doubling `copyWithin`s (memmove speed).
 */

const pad4 = (s: number[]): [number, number, number, number] => {
  const r = [...s, 1, 1, 1, 1].slice(0, 4);
  if (s.length > 4) {
    // Fold trailing dims into the last one: the periodic formula still holds for r[3] = 1 or equal dims.
    r[3] = s.slice(3).reduce((a, b) => a * b, 1);
  }
  return r as [number, number, number, number];
};

/** The elementwise normalisation for a parameter of final shape `t` (§9). */
export function normaliser(t: number[], isWeight: boolean): (x: number) => number {
  if (t.length === 1) {
    if (isWeight) return (p) => 2 / (1 + Math.exp(-Math.fround(0.5 * p)));
    const c = Math.fround(0.2);
    return (p) => Math.tanh(Math.fround(p * c));
  }
  if (t.length > 2 && t[0] === 1 && t[2] >= 11) return (p) => p; // positional encoding
  const fanIn = t.slice(1).reduce((a, b) => a * b, 1);
  const beta = t.length > 2 && (t[1] === 1 || t[2] < t[3]) ? 1 : 2;
  const s = Math.fround(Math.sqrt(beta / fanIn));
  return (p) => p * s;
}

function doubleFill(a: Float32Array, start: number, period: number, total: number): void {
  let filled = period;
  while (filled < total) {
    const n = Math.min(filled, total - filled);
    a.copyWithin(start + filled, start, start + n);
    filled += n;
  }
}

/** Fills `out` (target shape `t`) from the raw block (shape `r`), applying `f` elementwise. */
export function tileInto(out: Float32Array, t: number[], raw: Float32Array, r: number[], f: (x: number) => number): void {
  const [t0, t1, t2, t3] = pad4(t);
  const [r0, r1, r2, r3] = pad4(r);
  const inner = t2 * t3;
  const rowLen = t1 * inner;
  const n0 = Math.min(t0, r0);
  const n1 = Math.min(t1, r1);
  if (out.length !== t0 * rowLen) throw new Error(`tileInto: output has ${out.length} values for shape [${t}]`);
  for (let o = 0; o < n0; o++) {
    const rowStart = o * rowLen;
    for (let i = 0; i < n1; i++) {
      const ob = rowStart + i * inner;
      const rb = (o * r1 + i) * r2 * r3;
      for (let y = 0; y < t2; y++) {
        const ry = rb + (y % r2) * r3;
        const oy = ob + y * t3;
        if (t3 <= r3) for (let x = 0; x < t3; x++) out[oy + x] = f(raw[ry + x]);
        else for (let x = 0; x < t3; x++) out[oy + x] = f(raw[ry + (x % r3)]);
      }
    }
    if (n1 < t1) doubleFill(out, rowStart, n1 * inner, rowLen);
  }
  if (n0 < t0) doubleFill(out, 0, n0 * rowLen, t0 * rowLen);
}

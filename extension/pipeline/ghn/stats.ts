/** Summary statistics of one tensor, for the panel's parameter inspector. */
export interface ParamStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  /** `counts[i]` values fall in [min + i·w, min + (i+1)·w), w = (max − min) / bins (the last bin is closed). */
  histogram: { min: number; max: number; counts: number[] };
}

export function paramStats(data: ArrayLike<number> | BigInt64Array, bins = 32): ParamStats {
  const n = data.length;
  const get = (i: number): number => Number(data[i]);
  if (n === 0) return { mean: 0, std: 0, min: 0, max: 0, histogram: { min: 0, max: 0, counts: new Array(bins).fill(0) } };
  let min = Infinity, max = -Infinity, s = 0;
  for (let i = 0; i < n; i++) {
    const v = get(i);
    if (v < min) min = v;
    if (v > max) max = v;
    s += v;
  }
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (get(i) - mean) ** 2;
  const counts = new Array(bins).fill(0);
  const w = (max - min) / bins;
  for (let i = 0; i < n; i++) {
    const k = w > 0 ? Math.min(bins - 1, Math.floor((get(i) - min) / w)) : 0;
    counts[k]++;
  }
  // torch.std is the unbiased estimate
  return { mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, min, max, histogram: { min, max, counts } };
}

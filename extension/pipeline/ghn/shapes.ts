/**
 * Shape handling of GHN-2 (doc §4, §5): the shape encoder's lookup tables and the decoder shape keys.
 */

/** Sorted channel table: {1, 3, num_classes} ∪ 8..56/8 ∪ 64..4080/16 ∪ 4096..8192/32 (391 values for 10 or 1000 classes). */
export function channelTable(numClasses: number): number[] {
  const s = new Set<number>([1, 3, numClasses]);
  for (let c = 8; c < 64; c += 8) s.add(c);
  for (let c = 64; c < 4096; c += 16) s.add(c);
  for (let c = 4096; c <= 8192; c += 32) s.add(c);
  return [...s].sort((a, b) => a - b);
}

/** Sorted spatial table: odd values 1..max(12, S)-1 ∪ {14, 16}. */
export function spatialTable(maxSpatial: number): number[] {
  const s = new Set<number>([14, 16]);
  for (let k = 1; k < Math.max(12, maxSpatial); k += 2) s.add(k);
  return [...s].sort((a, b) => a - b);
}

/** Index of the nearest table value (ties to the smaller), clamped to the last entry. */
function nearest(table: number[], v: number): number {
  if (v >= table[table.length - 1]) return table.length - 1;
  let best = 0;
  for (let i = 1; i < table.length; i++) if (Math.abs(table[i] - v) < Math.abs(table[best] - v)) best = i;
  return best;
}

export function channelIndex(table: number[], v: number): number {
  const exact = table.indexOf(v);
  if (exact >= 0) return exact;
  if (v >= 4 && v <= 7) return table.indexOf(8);
  return nearest(table, v);
}

export function spatialIndex(table: number[], v: number): number {
  const exact = table.indexOf(v);
  if (exact >= 0) return exact;
  if (v === 2) return table.indexOf(3);
  return nearest(table, v);
}

/** A parameter/pool shape made 4-D the way the shape encoder does (§5). */
export function shapeTo4d(sz: number[]): [number, number, number, number] {
  if (sz.length === 1) return [sz[0], 1, 1, 1];
  if (sz.length === 2) return [sz[0], sz[1], 1, 1];
  if (sz.length === 3) {
    if (sz[0] === 1 && sz[1] > 1 && sz[2] > 1) {
      const s = Math.floor(Math.sqrt(sz[1]));
      return [1, sz[2], s, s];
    }
    return [sz[0], sz[1], sz[2], 1];
  }
  return [sz[0], sz[1], sz[2], sz[3]];
}

/** shape_ind rows (c_out, c_in, h, w) for every node; nodes without a shape use the dummy row. */
export function shapeIndices(shapes: (number[] | null)[], numClasses: number, maxSpatial: number): Int32Array {
  const ch = channelTable(numClasses);
  const sp = spatialTable(maxSpatial);
  const out = new Int32Array(shapes.length * 4);
  shapes.forEach((sz, i) => {
    if (!sz) {
      out.set([ch.length, ch.length, sp.length, sp.length], i * 4);
      return;
    }
    const s = shapeTo4d(sz);
    out.set([channelIndex(ch, s[0]), channelIndex(ch, s[1]), spatialIndex(sp, s[2]), spatialIndex(sp, s[3])], i * 4);
  });
  return out;
}

/** `min_sz` of `_map_net_params`: 3→4, 9→12, 18→24, ≥ max/2 → max (§4). */
export function minSz(v: number, max: number): number {
  let n = Math.min(v, max);
  if (n % 3 === 0) n = (n / 3) * 4;
  if (n >= max / 2) n = max;
  return n;
}

/**
 * The decoder shape key of a matched node (§4). `isLast`/`isLastWeight`: node N−1 / N−2.
 * Length 2 keys: (n, 0) 1-D, (n, -1) classifier bias, (ko, ki>0) classifier weight; length 3/4: tensors.
 */
export function shapeKey(sz: number[], maxShape: readonly number[], isLastWeight: boolean, isLast: boolean): number[] {
  const m = (j: number): number => minSz(sz[j], maxShape[Math.min(j, 3)]);
  if (sz.length === 1) return [m(0), isLast ? -1 : 0];
  if (isLastWeight) return [m(0), m(1)];
  if (sz.length === 2) return [m(0), m(1), 1, 1];
  if (sz.length === 3) return [m(0), m(1), m(2)];
  return [m(0), m(1), sz[2], sz[3]];
}

/** Number and shape formatting for labels and the inspector. Pure. */
import type { TensorShape } from '../extension/protocol/panel';

export function formatShape(shape: TensorShape | undefined | null): string {
  if (!shape) return '?';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join('×')}]`;
}

/** 1234 → "1.23K", 25557032 → "25.6M". */
export function formatCount(n: number): string {
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n));
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']];
  for (const [v, u] of units) {
    if (a >= v) {
      const x = n / v;
      return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}${u}`;
    }
  }
  return String(n);
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(3) : x.toPrecision(4);
}

/** A short summary of the attrs that matter most for a node label (kernel, stride, features...). */
export function attrSummary(attrs: Record<string, unknown>): string {
  const parts: string[] = [];
  const fmt = (v: unknown): string => (Array.isArray(v) ? v.join('×') : String(v));
  if (attrs.kernel_size !== undefined) parts.push(`k${fmt(attrs.kernel_size)}`);
  if (attrs.stride !== undefined && fmt(attrs.stride) !== '1' && fmt(attrs.stride) !== '1×1') parts.push(`s${fmt(attrs.stride)}`);
  if (attrs.groups !== undefined && attrs.groups !== 1) parts.push(`g${fmt(attrs.groups)}`);
  if (attrs.out_channels !== undefined) parts.push(`→${fmt(attrs.out_channels)}`);
  if (attrs.out_features !== undefined) parts.push(`→${fmt(attrs.out_features)}`);
  if (attrs.num_features !== undefined) parts.push(fmt(attrs.num_features));
  if (attrs.p !== undefined) parts.push(`p=${fmt(attrs.p)}`);
  if (attrs.dim !== undefined) parts.push(`dim=${fmt(attrs.dim)}`);
  return parts.join(' ');
}

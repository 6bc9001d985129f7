/**
 * einops (`rearrange`, `repeat`, `reduce` and the `Rearrange`/`Reduce` layers): shape inference from the
 * pattern, so ViT-style code that uses them keeps exact shapes.
 */
import type { TensorShape } from '../arch/types';
import { PyError } from './errors';
import type { PNode } from './parse';

type Elem = { kind: 'axis'; name: string } | { kind: 'group'; names: string[] } | { kind: 'ellipsis' } | { kind: 'one' };

function parseSide(s: string, node: PNode | undefined): Elem[] {
  const out: Elem[] = [];
  const toks = s.replace(/\(/g, ' ( ').replace(/\)/g, ' ) ').replace(/\.\.\.|…/g, ' ... ').trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t === '(') {
      const names: string[] = [];
      while (++i < toks.length && toks[i] !== ')') names.push(toks[i]);
      if (i >= toks.length) throw new PyError('EinopsError', `unbalanced parentheses in '${s}'`, node);
      out.push({ kind: 'group', names });
    } else if (t === '...') out.push({ kind: 'ellipsis' });
    else if (t === '1') out.push({ kind: 'one' });
    else if (t === ')') throw new PyError('EinopsError', `unbalanced parentheses in '${s}'`, node);
    else out.push({ kind: 'axis', name: t });
  }
  return out;
}

/** Output shape of an einops op. `mode`: rearrange | repeat | reduce. */
export function einopsShape(mode: string, input: TensorShape, pattern: string, axes: Record<string, number | null>, node: PNode | undefined): TensorShape {
  const [l, r] = pattern.split('->');
  if (r === undefined) throw new PyError('EinopsError', `pattern '${pattern}' has no '->'`, node);
  const left = parseSide(l, node);
  const right = parseSide(r, node);
  const sizes = new Map<string, number | null>(Object.entries(axes));
  const fixed = left.filter((e) => e.kind !== 'ellipsis').length;
  const hasEll = left.some((e) => e.kind === 'ellipsis');
  if (hasEll ? input.length < fixed : input.length !== fixed) {
    throw new PyError('EinopsError', `${mode}: pattern '${l.trim()}' expects ${fixed}${hasEll ? '+' : ''} dims, the tensor has ${input.length}`, node);
  }
  let ell: TensorShape = [];
  let d = 0;
  for (const e of left) {
    if (e.kind === 'ellipsis') { const n = input.length - fixed; ell = input.slice(d, d + n); d += n; continue; }
    const size = input[d++];
    if (e.kind === 'one') continue;
    if (e.kind === 'axis') {
      if (/^\d+$/.test(e.name)) continue;
      const given = sizes.get(e.name);
      if (given !== undefined && given !== null && size !== null && given !== size) throw new PyError('EinopsError', `${mode}: axis ${e.name}=${given} but the tensor has ${size}`, node);
      sizes.set(e.name, size);
      continue;
    }
    const unknown = e.names.filter((n) => !/^\d+$/.test(n) && (sizes.get(n) === undefined || sizes.get(n) === null));
    const known = e.names.reduce((p, n) => (/^\d+$/.test(n) ? p * Number(n) : sizes.get(n) ? p * (sizes.get(n) as number) : p), 1);
    if (unknown.length === 1) sizes.set(unknown[0], size === null ? null : size / known);
    else if (unknown.length > 1) for (const n of unknown) sizes.set(n, null);
    if (unknown.length === 1 && size !== null && size % known !== 0) throw new PyError('EinopsError', `${mode}: dimension ${size} is not divisible by ${known}`, node);
  }
  const sizeOf = (n: string): number | null => {
    if (/^\d+$/.test(n)) return Number(n);
    const v = sizes.get(n);
    if (v === undefined) throw new PyError('EinopsError', `${mode}: unknown axis '${n}' on the right side`, node);
    return v;
  };
  const out: TensorShape = [];
  for (const e of right) {
    if (e.kind === 'ellipsis') out.push(...ell);
    else if (e.kind === 'one') out.push(1);
    else if (e.kind === 'axis') out.push(sizeOf(e.name));
    else {
      let p: number | null = 1;
      for (const n of e.names) { const s = sizeOf(n); p = p === null || s === null ? null : p * s; }
      out.push(p);
    }
  }
  return out;
}

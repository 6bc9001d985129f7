/**
 * PyTorch's standard initialisation for parameters the GHN does not predict, and buffer defaults.
 * Conv/Linear-like weights (≥ 2 dims): kaiming_uniform(a=√5), i.e. U(±1/√fan_in); their biases U(±1/√fan_in of
 * the weight); 1-D weights (norm gains) ones; other biases zeros. Deterministic (seeded xorshift).
 */
import type { ParamTensor } from '../arch/types';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function hash(str: string): number {
  let h = 2166136261;
  for (let i = 0; i < str.length; i++) h = Math.imul(h ^ str.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Fills a parameter the GHN did not predict. `siblings` are the other tensors of its module (for a bias's
 * fan-in). Writes every value of `out` (which may be uninitialised) when given one of the right size.
 */
export function defaultParam(p: ParamTensor, siblings: ParamTensor[], out?: Float32Array): Float32Array {
  const numel = p.shape.reduce((a, b) => a * b, 1);
  if (!out || out.length !== numel) out = new Float32Array(numel);
  const o = out;
  const last = p.name.split('.').pop() ?? '';
  const r = rng(hash(p.name));
  const uniform = (bound: number): void => { for (let i = 0; i < numel; i++) o[i] = (2 * r() - 1) * bound; };
  if (p.shape.length >= 2) {
    const fanIn = p.shape.slice(1).reduce((a, b) => a * b, 1);
    uniform(1 / Math.sqrt(Math.max(1, fanIn)));
  } else if (last.includes('bias')) {
    const w = siblings.find((s) => s.name.endsWith('weight') && s.shape.length >= 2);
    if (w) uniform(1 / Math.sqrt(Math.max(1, w.shape.slice(1).reduce((a, b) => a * b, 1))));
    else out.fill(0);
  } else if (last.includes('weight')) {
    out.fill(1);
  } else out.fill(0);
  return out;
}

/** PyTorch's buffer defaults: running_var ones, everything else zeros (written into `out` when it fits). */
export function defaultBuffer(p: ParamTensor, out?: Float32Array): Float32Array | BigInt64Array {
  const numel = p.shape.reduce((a, b) => a * b, 1);
  if (p.dtype === 'int64') return new BigInt64Array(numel);
  if (!out || out.length !== numel) out = new Float32Array(numel);
  out.fill(p.name.endsWith('running_var') ? 1 : 0);
  return out;
}

/**
 * Contractions: matmul (@), mm, bmm, addmm, baddbmm, dot, outer, einsum, F.linear, F.bilinear.
 * MACs: one per multiply-accumulate of the product (the profiler's aten::mm/addmm/bmm FLOPs / 2).
 */
import type { TensorShape } from '../../arch/types';
import { arg, spellings, varargs } from '../entries';
import { bilinearMacs, linearShape } from '../linear';
import { registerFunctions } from '../registry';
import { broadcastShapes, fmtDims, isTensor, macsOf, numel, out, product, tensorShape } from '../shapeMath';
import type { Dim } from '../shapeMath';
import { ShapeError } from '../types';
import type { BoundArgs, CatValue, FunctionSpec, OutTree } from '../types';

function sameSize(a: Dim, b: Dim): boolean {
  return a === null || b === null || a === b;
}

/** torch.matmul's rules (1-D operands are promoted then the added dim removed; batch dims broadcast). */
export function matmulShape(where: string, a: TensorShape, b: TensorShape): { shape: TensorShape; inner: Dim } {
  if (a.length === 0 || b.length === 0) throw new ShapeError(`${where}: both arguments to matmul need to be at least 1D, but they are ${a.length}D and ${b.length}D`);
  if (a.length === 1 && b.length === 1) {
    if (!sameSize(a[0], b[0])) throw new ShapeError(`${where}: inconsistent tensor size, expected tensor [${a[0]}] and src [${b[0]}] to have the same number of elements, but got ${a[0]} and ${b[0]} elements respectively`);
    return { shape: [], inner: a[0] ?? b[0] };
  }
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const k1 = a2[a2.length - 1];
  const k2 = b2[b2.length - 2];
  if (!sameSize(k1, k2)) {
    const rows = numel(a2.slice(0, -1));
    throw new ShapeError(`${where}: mat1 and mat2 shapes cannot be multiplied (${rows ?? '?'}x${k1} and ${k2}x${b2[b2.length - 1]})`);
  }
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2), where);
  const shape: TensorShape = [...batch];
  if (a.length > 1) shape.push(a2[a2.length - 2]);
  if (b.length > 1) shape.push(b2[b2.length - 1]);
  return { shape, inner: k1 ?? k2 };
}

function outputShape(o: OutTree): TensorShape | null {
  return Array.isArray(o) ? null : o.shape;
}

function contraction(op: string, names: string[], a: string, b: string, check?: (x: TensorShape, y: TensorShape) => void): FunctionSpec {
  const addsInput = op === 'addmm' || op === 'baddbmm';
  const signature = addsInput ? [arg('input'), arg(a), arg(b), arg('beta', 1), arg('alpha', 1)] : [arg(a), arg(b)];
  const inner = (args: BoundArgs): Dim => {
    const x = tensorShape(args, a, op);
    const y = tensorShape(args, b, op);
    return matmulShape(op, x, y).inner;
  };
  return {
    op,
    category: 'linear',
    names,
    signature,
    forward(args) {
      const x = tensorShape(args, a, op);
      const y = tensorShape(args, b, op);
      check?.(x, y);
      const { shape } = matmulShape(op, x, y);
      if (addsInput) return out(broadcastShapes(tensorShape(args, 'input', op), shape, op));
      return out(shape);
    },
    macs: (args, o) => {
      const s = outputShape(o);
      return s === null ? null : macsOf(numel(matmulShape(op, tensorShape(args, a, op), tensorShape(args, b, op)).shape), inner(args));
    },
  };
}

function requireRank(where: string, rank: number, what: string): (x: TensorShape, y: TensorShape) => void {
  return (x, y) => {
    if (x.length !== rank) throw new ShapeError(`${where}: ${what} must be a ${rank}D tensor (got ${x.length}D [${fmtDims(x)}])`);
    if (y.length !== rank) throw new ShapeError(`${where}: ${what} must be a ${rank}D tensor (got ${y.length}D [${fmtDims(y)}])`);
    if (rank === 3 && !sameSize(x[0], y[0])) throw new ShapeError(`${where}: batch1 and batch2 must have same number of batches, got ${x[0]} and ${y[0]}`);
  };
}

const outer: FunctionSpec = {
  op: 'outer',
  category: 'linear',
  names: [...spellings('outer'), ...spellings('ger')],
  signature: [arg('input'), arg('vec2')],
  forward: (args) => out([tensorShape(args, 'input', 'outer')[0] ?? null, tensorShape(args, 'vec2', 'outer')[0] ?? null]),
  // Element-wise products without accumulation: 0 by the catalogue's convention (the profiler agrees).
  macs: () => 0,
};

/** F.linear(input, weight[out, in], bias). */
const fLinear: FunctionSpec = {
  op: 'linear',
  category: 'linear',
  names: ['torch.nn.functional.linear'],
  signature: [arg('input'), arg('weight'), arg('bias', null)],
  forward(args) {
    const x = tensorShape(args, 'input', 'linear');
    const w = tensorShape(args, 'weight', 'linear');
    if (w.length === 1) return out(x.slice(0, -1));
    return out(linearShape('linear', x, w[1], w[0]));
  },
  macs(args, o) {
    const w = tensorShape(args, 'weight', 'linear');
    return Array.isArray(o) ? null : macsOf(numel(o.shape), w.length === 1 ? 1 : w[1]);
  },
};

const fBilinear: FunctionSpec = {
  op: 'bilinear',
  category: 'linear',
  names: ['torch.nn.functional.bilinear', 'torch.bilinear'],
  signature: [arg('input1'), arg('input2'), arg('weight'), arg('bias', null)],
  forward(args) {
    const a = tensorShape(args, 'input1', 'bilinear');
    const w = tensorShape(args, 'weight', 'bilinear');
    return out([...a.slice(0, -1), w[0]]);
  },
  macs(args, o) {
    const w = tensorShape(args, 'weight', 'bilinear');
    return Array.isArray(o) || w[1] === null || w[2] === null ? null : bilinearMacs(numel(o.shape), w[1], w[2]);
  },
};

interface EinsumTerm { letters: string[]; ellipsisAt: number }

function parseTerm(term: string, where: string): EinsumTerm {
  const t = term.replace(/\s+/g, '');
  const at = t.indexOf('...');
  const letters = t.replace('...', '').split('');
  if (letters.some((c) => !/[a-zA-Z]/.test(c))) throw new ShapeError(`${where}: invalid subscript given at index ${t.length} in the equation string, subscripts must be in [a-zA-Z]`);
  return { letters, ellipsisAt: at < 0 ? -1 : t.slice(0, at).length };
}

/**
 * einsum: sizes per letter from the operands; the output lists the letters after '->' (or, implicitly,
 * the letters seen once, alphabetically). MACs for two operands: the product of all letter sizes
 * (and the broadcast ellipsis dims), which is what the bmm it lowers to costs; for 3+ operands
 * the pairwise order is not fixed, so it is left unknown.
 */
const einsum: FunctionSpec = {
  op: 'einsum',
  category: 'linear',
  names: ['torch.einsum'],
  signature: [arg('equation'), varargs('operands')],
  forward: (args) => out(einsumPlan(args).output),
  macs(args) {
    const plan = einsumPlan(args);
    // Without a summed subscript it is an element-wise (outer) product: no accumulation, 0 by convention.
    if (plan.operands !== 2 || !plan.contracted) return 0;
    return product([...Object.values(plan.sizes), ...plan.ellipsis]);
  },
};

function einsumPlan(args: BoundArgs): { output: TensorShape; sizes: Record<string, Dim>; ellipsis: TensorShape; operands: number; contracted: boolean } {
  const eq = args.equation;
  if (typeof eq !== 'string') throw new ShapeError('einsum(): the equation must be a string');
  const raw = args.operands as CatValue[];
  const ops: CatValue[] = raw.length === 1 && Array.isArray(raw[0]) ? raw[0] : raw;
  const shapes = ops.map((v, i) => {
    if (!isTensor(v)) throw new ShapeError(`einsum(): operand ${i} is not a Tensor`);
    return v.shape;
  });
  const [lhs, rhs] = eq.split('->');
  const terms = lhs.split(',').map((t) => parseTerm(t, 'einsum'));
  if (terms.length !== shapes.length) throw new ShapeError(`einsum(): more operands were provided than specified in the equation`);
  const sizes: Record<string, Dim> = {};
  let ellipsis: TensorShape = [];
  terms.forEach((term, i) => {
    const s = shapes[i];
    const nEll = term.ellipsisAt >= 0 ? s.length - term.letters.length : 0;
    if (nEll < 0 || (term.ellipsisAt < 0 && s.length !== term.letters.length)) {
      throw new ShapeError(`einsum(): the number of subscripts in the equation (${term.letters.length}) does not match the number of dimensions (${s.length}) for operand ${i}${term.ellipsisAt < 0 ? ' and no ellipsis was given' : ''}`);
    }
    term.letters.forEach((c, j) => {
      const d = s[j < term.ellipsisAt || term.ellipsisAt < 0 ? j : j + nEll];
      const prev = sizes[c];
      if (prev !== undefined && prev !== null && d !== null && prev !== d && prev !== 1 && d !== 1) {
        throw new ShapeError(`einsum(): operands do not broadcast with remapped shapes (original->remapped): subscript ${c} has size ${d} for operand ${i} which does not broadcast with previously seen size ${prev}`);
      }
      sizes[c] = prev === undefined || prev === 1 ? d : prev ?? d;
    });
    if (nEll > 0) ellipsis = broadcastShapes(ellipsis, s.slice(term.ellipsisAt, term.ellipsisAt + nEll), 'einsum');
  });
  let output: TensorShape;
  let outLetters: string[];
  if (rhs !== undefined) {
    const o = parseTerm(rhs, 'einsum');
    outLetters = o.letters;
    const dims = o.letters.map((c) => {
      if (!(c in sizes)) throw new ShapeError(`einsum(): output subscript ${c} does not appear in the equation for any input operand`);
      return sizes[c];
    });
    output = o.ellipsisAt >= 0 ? [...dims.slice(0, o.ellipsisAt), ...ellipsis, ...dims.slice(o.ellipsisAt)] : dims;
  } else {
    const counts = new Map<string, number>();
    for (const t of terms) for (const c of t.letters) counts.set(c, (counts.get(c) ?? 0) + 1);
    outLetters = [...counts.entries()].filter(([, n]) => n === 1).map(([c]) => c).sort();
    output = [...ellipsis, ...outLetters.map((c) => sizes[c])];
  }
  const shared = terms.length === 2 ? terms[0].letters.filter((c) => terms[1].letters.includes(c)) : [];
  return { output, sizes, ellipsis, operands: shapes.length, contracted: shared.some((c) => !outLetters.includes(c)) };
}

export const linalgFunctions: FunctionSpec[] = [
  contraction('matmul', [...spellings('matmul'), 'operator.matmul', 'Tensor.__matmul__', 'Tensor.__rmatmul__', 'operator.imatmul'], 'input', 'other'),
  contraction('mm', spellings('mm'), 'input', 'mat2', requireRank('mm', 2, 'self')),
  contraction('bmm', spellings('bmm'), 'input', 'mat2', requireRank('bmm', 3, 'batch1')),
  contraction('addmm', spellings('addmm'), 'mat1', 'mat2', requireRank('addmm', 2, 'mat1')),
  contraction('baddbmm', spellings('baddbmm'), 'batch1', 'batch2', requireRank('baddbmm', 3, 'batch1')),
  contraction('dot', [...spellings('dot'), ...spellings('inner')], 'input', 'other', requireRank('dot', 1, '1D tensors expected, but got')),
  contraction('mv', spellings('mv'), 'input', 'vec'),
  outer,
  fLinear,
  fBilinear,
  einsum,
];

registerFunctions(linalgFunctions);

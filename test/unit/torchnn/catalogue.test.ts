/**
 * The catalogue against PyTorch itself. Every case of cases.ts is built in torch by
 * test/torch/catalogue_truth.py (one Python process for all of them) and the catalogue must agree on:
 * state_dict names, order, shapes, dtypes and requires_grad; output shapes (nested for tuples);
 * rejection of inputs PyTorch rejects (ShapeError); and MACs = profiler FLOPs / 2 for conv and
 * matmul-type ops (see MAC_SOURCES). Without a torch-enabled /usr/bin/python3 this suite fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strict as assert } from 'node:assert';
import { allFunctions, allLayers, ArgumentError, bindArgs, findFunction, findLayer, layerStateDict, moduleArg, ShapeError } from '../../../extension/pipeline/torchnn';
import type { ArgSpec, BoundArgs, CatValue, OutTree } from '../../../extension/pipeline/torchnn';
import { CASES } from './cases';
import type { Case, J } from './cases';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, '..', '..', 'torch', 'catalogue_truth.py');

/**
 * Profiler ops whose FLOPs are contractions (torch 1.13 also reports aten::mul/add FLOPs, which the
 * catalogue's convention leaves out: element-wise work is not counted as MACs).
 */
const CONTRACTION_OPS = ['aten::conv2d', 'aten::mm', 'aten::addmm', 'aten::bmm', 'aten::baddbmm'];

/** Spellings of ops added after torch 1.13 (the test's torch), with the version that added them. */
const NEWER_THAN_TEST_TORCH = new Map([
  ['torch.nn.functional.scaled_dot_product_attention', '2.0'],
  ['torch.nn.functional.rms_norm', '2.4'],
  ['torch.rms_norm', '2.4'],
]);

/** Keyword parameters of newer PyTorch versions the catalogue already accepts. */
const NEWER_PARAMS = new Map([
  ['layer:LayerNorm', ['bias']], // 2.1
  ['layer:Embedding', ['_freeze']], // 2.0
  ['forward:TransformerEncoderLayer', ['is_causal']], // 2.0
  ['forward:TransformerEncoder', ['is_causal']], // 2.0
  ['forward:TransformerDecoderLayer', ['tgt_is_causal', 'memory_is_causal']], // 2.0
  ['forward:TransformerDecoder', ['tgt_is_causal', 'memory_is_causal']], // 2.0
]);

/** [name, default | {required: true} | {repr}, inspect kind] per parameter. */
type PySignature = [string, unknown, string][];

type TorchOut = { shape: number[]; dtype: string } | { scalar: number } | TorchOut[] | null;

interface Truth {
  id: string;
  state?: [string, number[], string, boolean, string][];
  output?: TorchOut;
  flops?: Record<string, number>;
  adjoint_flops?: number;
  formula_macs?: number;
  error?: { stage: string; message: string };
  attrs?: Record<string, unknown>;
}

/** Case JSON -> catalogue values (what the interpreter would hand over). */
function toCat(v: J): CatValue {
  if (Array.isArray(v)) return v.map(toCat);
  if (v !== null && typeof v === 'object') {
    if ('values' in v) return { kind: 'tensor', shape: [(v.values as J[]).length], dtype: 'int64' };
    if ('tensor' in v) return { kind: 'tensor', shape: v.tensor as number[], dtype: (v.dtype as string | undefined) ?? 'float32' };
    if ('module' in v) {
      const spec = findLayer(v.module as string);
      assert.ok(spec, `module argument ${String(v.module)} is not in the catalogue`);
      const kw = Object.fromEntries(Object.entries((v.kwargs ?? {}) as Record<string, J>).map(([k, x]) => [k, toCat(x)]));
      return moduleArg(v.module as string, bindArgs(spec.signature, ((v.args ?? []) as J[]).map(toCat), kw).args);
    }
    if ('dtype_value' in v) return { kind: 'opaque', repr: `torch.${String(v.dtype_value)}`, qualname: `torch.${String(v.dtype_value)}` };
    if ('list' in v) return (v.list as J[]).map(toCat);
    return { kind: 'dict', entries: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toCat(x)])) };
  }
  return v;
}

function kwargs(o: Record<string, J> | undefined): Record<string, CatValue> {
  return Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, toCat(v)]));
}

/** torch's nested output -> the same shape tree the catalogue produces (None is an empty tuple there). */
function torchTree(o: TorchOut): unknown {
  if (o === null) return [];
  if (Array.isArray(o)) return o.map(torchTree);
  if ('scalar' in o) return { shape: [] };
  return { shape: o.shape, dtype: o.dtype };
}

/** Compares shapes everywhere, and dtypes where the catalogue states one. */
function sameTree(ours: OutTree, theirs: unknown, path = 'output'): void {
  if (Array.isArray(ours)) {
    assert.ok(Array.isArray(theirs), `${path}: catalogue returns a tuple, torch ${JSON.stringify(theirs)}`);
    assert.equal(ours.length, theirs.length, `${path}: tuple length`);
    ours.forEach((o, i) => sameTree(o, theirs[i], `${path}[${i}]`));
    return;
  }
  assert.ok(!Array.isArray(theirs), `${path}: torch returns a tuple ${JSON.stringify(theirs)}, catalogue ${JSON.stringify(ours)}`);
  const t = theirs as { shape: number[]; dtype?: string };
  assert.deepEqual(ours.shape, t.shape, `${path}: shape`);
  if (ours.dtype !== undefined && t.dtype !== undefined) assert.equal(ours.dtype, t.dtype, `${path}: dtype`);
}

/** The expected MACs and where the figure comes from. */
function expectedMacs(truth: Truth): { macs: number; source: string } {
  if (truth.formula_macs !== undefined) return { macs: truth.formula_macs, source: 'formula over torch tensors' };
  const profiled = CONTRACTION_OPS.reduce((s, op) => s + (truth.flops?.[op] ?? 0), 0);
  if (truth.adjoint_flops !== undefined) return { macs: (profiled + truth.adjoint_flops) / 2, source: 'profiler (equivalent conv2d)' };
  return { macs: profiled / 2, source: 'profiler' };
}

/** Replaces dims of every tensor input with null (unknown), as the interpreter passes them. */
function blurInputs(c: Case, which: (dim: number, index: number) => boolean): Case {
  const blur = (v: J): J => {
    if (Array.isArray(v)) return v.map(blur);
    if (v !== null && typeof v === 'object' && 'tensor' in v) {
      return { ...v, tensor: (v.tensor as number[]).map((d, i) => (which(d, i) ? null : d)) };
    }
    if (v !== null && typeof v === 'object' && 'list' in v) return { list: (v.list as J[]).map(blur) };
    return v;
  };
  return { ...c, inputs: (c.inputs ?? []).map(blur), inputKwargs: Object.fromEntries(Object.entries(c.inputKwargs ?? {}).map(([k, v]) => [k, blur(v)])) };
}

/** Every dim the catalogue still claims to know must be torch's; unknown (null) is always allowed. */
function refines(ours: OutTree, theirs: unknown, path = 'output'): void {
  if (Array.isArray(ours)) {
    assert.ok(Array.isArray(theirs), `${path}: tuple vs ${JSON.stringify(theirs)}`);
    // With an unknown size along the split dim, split/chunk/unbind may not know how many pieces there are.
    ours.forEach((o, i) => { if (i < theirs.length) refines(o, theirs[i], `${path}[${i}]`); });
    return;
  }
  const t = theirs as { shape: number[] };
  assert.equal(ours.shape.length, t.shape.length, `${path}: rank`);
  ours.shape.forEach((d, i) => { if (d !== null) assert.equal(d, t.shape[i], `${path}: dim ${i}`); });
}

/** The layer's attrs() for a case, or undefined when it does not bind or raises. */
function catalogueAttrs(c: Case): Record<string, unknown> | undefined {
  const spec = findLayer(c.type!);
  if (!spec?.attrs) return undefined;
  const bound = bindArgs(spec.signature, (c.args ?? []).map(toCat), kwargs(c.kwargs));
  if (bound.errors.length) return undefined;
  try {
    return spec.attrs(bound.args);
  } catch {
    return undefined;
  }
}

/**
 * attrs are normalised (kernel_size 3 -> [3, 3], padding 'valid' -> zeros, bias as a bool), while torch keeps
 * what it was given (or the bias Parameter, None when absent): those spellings count as equal.
 */
function sameAttr(ours: unknown, theirs: unknown): boolean {
  if (theirs === null && ours === false) return true;
  if (theirs === 'valid' && Array.isArray(ours)) return ours.every((x) => x === 0);
  if (Array.isArray(ours) && typeof theirs === 'number') return ours.every((x) => x === theirs);
  if (Array.isArray(theirs) && typeof ours === 'number') return theirs.every((x) => x === ours);
  if (Array.isArray(ours) && Array.isArray(theirs)) return ours.length === theirs.length && ours.every((x, i) => sameAttr(x, theirs[i]));
  return ours === theirs || (ours === undefined && theirs === null);
}

/** Runs one case through the catalogue: state, output and MACs, or the ShapeError it raises. */
function runCatalogue(c: Case): { state?: ReturnType<typeof layerStateDict>; output?: OutTree; macs?: number | null; error?: unknown; bindErrors?: string[] } {
  const pos = (c.inputs ?? []).map(toCat);
  const kw = kwargs(c.inputKwargs);
  try {
    if (c.kind === 'layer') {
      const spec = findLayer(c.type!);
      assert.ok(spec, `layer ${c.type} is not registered`);
      const bound = bindArgs(spec.signature, (c.args ?? []).map(toCat), kwargs(c.kwargs));
      if (bound.errors.length) return { bindErrors: bound.errors };
      const state = layerStateDict(c.type!, bound.args);
      const inputs = bindArgs(spec.forwardSignature ?? [{ name: 'input' }], pos, kw);
      if (inputs.errors.length) return { state, bindErrors: inputs.errors };
      const output = spec.forward(bound.args, inputs.args);
      return { state, output, macs: spec.macs(bound.args, inputs.args, output) };
    }
    const spec = findFunction(c.name!);
    assert.ok(spec, `function ${c.name} is not registered`);
    const bound = bindArgs(spec.signature, pos, kw);
    if (bound.errors.length) return { bindErrors: bound.errors };
    const output = spec.forward(bound.args as BoundArgs);
    return { output, macs: spec.macs ? spec.macs(bound.args, output) : 0 };
  } catch (e) {
    return { error: e };
  }
}

describe('torch.nn catalogue vs PyTorch', function () {
  this.timeout(120_000);
  const truths = new Map<string, Truth>();
  let missingNames: string[] = [];
  let pySignatures: Record<string, PySignature | null> = {};

  before(() => {
    const dir = mkdtempSync(join(tmpdir(), 'ghn-catalogue-'));
    try {
      const file = join(dir, 'cases.json');
      // Ask torch for the module attributes the catalogue reports in attrs() (kernel_size, stride, ...).
      const withAttrNames = CASES.map((c) => ({ ...c, attrNames: c.kind === 'layer' ? Object.keys(catalogueAttrs(c) ?? {}) : [] }));
      const names = [...new Set(allFunctions().flatMap((f) => f.names))];
      const signatures = [
        ...allLayers().flatMap((l) => [['layer', l.type], ['forward', l.type]]),
        ...names.filter((n) => n.startsWith('torch.nn.functional.')).map((n) => ['function', n]),
      ];
      writeFileSync(file, JSON.stringify({ cases: withAttrNames, names, signatures }));
      // No fallback: a machine without torch must fail this suite, not skip it.
      let stdout: string;
      try {
        stdout = execFileSync(PYTHON, [SCRIPT, file], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new Error(`${PYTHON} ${SCRIPT} failed: this suite needs PyTorch 1.13 in ${PYTHON} (Debian python3-torch).\n${(err.stderr ?? err.message).slice(-2000)}`);
      }
      const parsed = JSON.parse(stdout) as { torch: string; results: Truth[]; missing_names: string[]; signatures: Record<string, PySignature | null> };
      for (const r of parsed.results) truths.set(r.id, r);
      missingNames = parsed.missing_names;
      pySignatures = parsed.signatures;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const c of CASES) {
    it(`${c.id}: ${JSON.stringify(c.args ?? [])} ${JSON.stringify(c.kwargs ?? {})} <- ${JSON.stringify(c.inputs)}${c.inputKwargs && Object.keys(c.inputKwargs).length ? ' ' + JSON.stringify(c.inputKwargs) : ''}`, () => {
      const truth = truths.get(c.id);
      assert.ok(truth, 'no PyTorch result for this case');
      const ours = runCatalogue(c);
      if (truth.error) {
        // PyTorch rejects the case: the catalogue must reject it too (a ShapeError, or arguments that do not bind).
        const rejected = ours.bindErrors !== undefined || ours.error instanceof ShapeError;
        assert.ok(rejected, `PyTorch rejects it at ${truth.error.stage} (${truth.error.message}) but the catalogue accepts it: ${JSON.stringify(ours.output)}`);
        return;
      }
      if (ours.error) throw ours.error;
      assert.equal(ours.bindErrors, undefined, `arguments do not bind: ${ours.bindErrors?.join('; ')}`);
      if (c.kind === 'layer') {
        const theirs = (truth.state ?? []).map(([name, shape, dtype, trainable, role]) => ({ name, shape, dtype, trainable, role }));
        const mine = (ours.state ?? []).map((p) => ({ name: p.name, shape: p.shape, dtype: p.dtype, trainable: p.trainable, role: p.role }));
        assert.deepEqual(mine, theirs, 'state_dict');
        const ourAttrs = catalogueAttrs(c) ?? {};
        for (const [k, v] of Object.entries(truth.attrs ?? {})) {
          assert.ok(sameAttr(ourAttrs[k], v), `attrs.${k}: catalogue ${JSON.stringify(ourAttrs[k])}, torch ${JSON.stringify(v)}`);
        }
      }
      sameTree(ours.output!, torchTree(truth.output ?? null));
      const want = expectedMacs(truth);
      assert.equal(ours.macs, want.macs, `MACs (expected from ${want.source}: ${JSON.stringify(truth.flops)})`);
    });
  }

  it("signatures match PyTorch's Python signatures: names, order, defaults", () => {
    const problems: string[] = [];
    const ours = new Map<string, ArgSpec[]>();
    for (const l of allLayers()) {
      ours.set(`layer:${l.type}`, l.signature);
      ours.set(`forward:${l.type}`, l.forwardSignature ?? [{ name: 'input' }]);
    }
    for (const f of allFunctions()) for (const n of f.names) ours.set(`function:${n}`, f.signature);
    let compared = 0;
    for (const [key, sig] of Object.entries(pySignatures)) {
      // Builtins have no Python signature; RNN/LSTM/GRU and the max-pool dispatchers take *args, **kwargs.
      const theirs = (sig ?? []).filter(([, , kind]) => kind !== 'VAR_POSITIONAL' && kind !== 'VAR_KEYWORD');
      if (theirs.length === 0) continue;
      compared++;
      const mine = (ours.get(key) ?? []).filter((p) => !p.variadic);
      theirs.forEach(([name, def], i) => {
        const p = mine[i];
        if (!p || p.name !== name) { problems.push(`${key}: parameter ${i} is '${p?.name}', torch '${name}'`); return; }
        const required = typeof def === 'object' && def !== null && !Array.isArray(def) && 'required' in def;
        const opaqueDefault = typeof def === 'object' && def !== null && !Array.isArray(def) && 'repr' in def;
        if (required !== !('default' in p)) problems.push(`${key}: '${name}' ${required ? 'is required in torch' : 'has a default in torch'}`);
        else if (!required && !opaqueDefault && JSON.stringify(p.default) !== JSON.stringify(def)) problems.push(`${key}: '${name}' defaults to ${JSON.stringify(p.default)}, torch ${JSON.stringify(def)}`);
      });
      const extra = mine.slice(theirs.length).map((p) => p.name).filter((n) => !(NEWER_PARAMS.get(key) ?? []).includes(n));
      if (extra.length) problems.push(`${key}: parameters torch does not have: ${extra.join(', ')}`);
    }
    assert.ok(compared > 100, `only ${compared} signatures compared`);
    assert.deepEqual(problems, []);
  });

  it('every function spelling exists in PyTorch (newer-than-1.13 ones listed with their version)', () => {
    assert.deepEqual(missingNames.filter((n) => !NEWER_THAN_TEST_TORCH.has(n)), []);
  });

  // Shapes reach the catalogue with unknown dims (a symbolic batch, a size the interpreter lost).
  // For every case PyTorch accepts: unknown batch dims, then every dim unknown. The catalogue may answer
  // less (null), never something else; it may only raise ShapeError/ArgumentError, never crash.
  for (const [label, which] of [
    ['unknown batch', (_d: number, i: number) => i === 0],
    ['all dims unknown', () => true],
  ] as [string, (d: number, i: number) => boolean][]) {
    it(`${label}: answers stay consistent with PyTorch's`, () => {
      const problems: string[] = [];
      for (const c of CASES) {
        const truth = truths.get(c.id);
        if (!truth || truth.error) continue;
        // squeeze over a dim of unknown size cannot know the rank of its result (the catalogue guesses).
        if (/\.squeeze_?$/.test(c.name ?? '')) continue;
        const ours = runCatalogue(blurInputs(c, which));
        if (ours.error !== undefined) {
          if (!(ours.error instanceof ShapeError) && !(ours.error instanceof ArgumentError)) problems.push(`${c.id}: ${String(ours.error)}`);
          continue;
        }
        if (ours.bindErrors) { problems.push(`${c.id}: ${ours.bindErrors.join('; ')}`); continue; }
        try {
          refines(ours.output!, torchTree(truth.output ?? null));
          const want = expectedMacs(truth).macs;
          if (ours.macs !== null && ours.macs !== want) problems.push(`${c.id}: MACs ${ours.macs} with unknown dims, torch ${want}`);
        } catch (e) {
          problems.push(`${c.id}: ${(e as Error).message}`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }
});

// These need no PyTorch: they run even where the suite above cannot.
describe('torch.nn catalogue coverage and robustness', () => {
  // Constructor and call arguments the interpreter cannot evaluate arrive as opaque values: every entry
  // must then answer or raise ShapeError/ArgumentError, one argument at a time.
  it('opaque arguments never crash an entry', () => {
    const opaque: CatValue = { kind: 'opaque', repr: '<unknown>' };
    const crashes: string[] = [];
    const check = (id: string, f: () => void): void => {
      try {
        f();
      } catch (e) {
        if (!(e instanceof ShapeError) && !(e instanceof ArgumentError)) crashes.push(`${id}: ${String(e)}`);
      }
    };
    for (const c of CASES) {
      if (c.kind === 'layer') {
        const spec = findLayer(c.type!)!;
        const pos = (c.args ?? []).map(toCat);
        const kw = kwargs(c.kwargs);
        const inputs = bindArgs(spec.forwardSignature ?? [{ name: 'input' }], (c.inputs ?? []).map(toCat), kwargs(c.inputKwargs)).args;
        const variants = [...pos.map((_, i) => ({ pos: pos.map((v, j) => (i === j ? opaque : v)), kw })),
          ...Object.keys(kw).map((k) => ({ pos, kw: { ...kw, [k]: opaque } }))];
        for (const v of variants) {
          const args = bindArgs(spec.signature, v.pos, v.kw).args;
          check(c.id, () => { layerStateDict(c.type!, args); const o = spec.forward(args, inputs); spec.macs(args, inputs, o); spec.attrs?.(args); });
        }
      } else {
        const spec = findFunction(c.name!)!;
        const pos = (c.inputs ?? []).map(toCat);
        for (let i = 0; i < pos.length; i++) {
          const args = bindArgs(spec.signature, pos.map((v, j) => (i === j ? opaque : v)), kwargs(c.inputKwargs)).args;
          check(c.id, () => { const o = spec.forward(args); spec.macs?.(args, o); });
        }
      }
    }
    assert.deepEqual(crashes, []);
  });

  it('every registered layer and function has at least one case', () => {
    const layerTypes = new Set(CASES.filter((c) => c.kind === 'layer').map((c) => c.type));
    const missingLayers = allLayers().map((s) => s.type).filter((ty) => !layerTypes.has(ty));
    const fnNames = new Set(CASES.filter((c) => c.kind === 'function').map((c) => c.name));
    const missingFns = allFunctions().filter((s) => !s.names.some((n) => fnNames.has(n))).map((s) => s.names[0] ?? s.op);
    assert.deepEqual({ missingLayers, missingFns }, { missingLayers: [], missingFns: [] });
  });

  it('every case names a registered entry', () => {
    const unknown = CASES.filter((c) => (c.kind === 'layer' ? !findLayer(c.type!) : !findFunction(c.name!))).map((c) => c.id);
    assert.deepEqual(unknown, []);
  });
});

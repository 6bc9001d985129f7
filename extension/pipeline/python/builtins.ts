/**
 * Python builtins and the standard-library corners model code touches (math, functools, collections,
 * typing, enum, itertools, copy...), as native values for the interpreter.
 */
import { PyError } from './errors';
import { Interp, formatValue, isUnknown, rangeLen, sliceItems } from './interp';
import type { PNode } from './parse';
import {
  Scope, UNKNOWN, dictFrom, dictGet, dictSet, isTensor, keyOf, list, opaque, repr, tuple,
  type Args, type Builtin, type PyClass, type PyDict, type PyInstance, type PyModule, type Value,
  dictPayload,
} from './values';

export function bi(name: string, call: (args: Args, node: PNode | undefined) => Value, method = false): Builtin {
  return { kind: 'builtin', name, call, method };
}

function mkClass(name: string, bases: PyClass[], builtin = name): PyClass {
  const c: PyClass = { kind: 'class', name, qualname: name, bases, mro: [], dict: new Map(), builtin };
  c.mro = [c];
  for (const b of bases) for (const m of b.mro) if (!c.mro.includes(m)) c.mro.push(m);
  return c;
}

export interface BuiltinEnv {
  ctors: Map<PyClass, (args: Args, node: PNode | undefined) => Value>;
  /** isinstance checks for abstract classes (Sequence, Callable...). */
  checks: Map<PyClass, (v: Value) => boolean>;
  classOf(v: Value): PyClass;
  nativeModules: Map<string, PyModule>;
}

export function installBuiltins(it: Interp, tensorClass: () => PyClass): BuiltinEnv {
  const object = mkClass('object', []);
  const C = it.classes;
  C.object = object;
  const ctors = new Map<PyClass, (args: Args, node: PNode | undefined) => Value>();
  const checks = new Map<PyClass, (v: Value) => boolean>();
  const add = (name: string, v: Value): void => { it.builtins.set(name, v); };
  const cls = (name: string, base: PyClass = object, ctor?: (a: Args, n: PNode | undefined) => Value): PyClass => {
    const c = mkClass(name, [base]);
    C[name] = c;
    add(name, c);
    if (ctor) ctors.set(c, ctor);
    return c;
  };
  add('object', object);
  ctors.set(object, () => ({ kind: 'instance', cls: object, attrs: new Map() }));

  const num = (v: Value, n: PNode | undefined, what: string): number => {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return Number(v);
    throw new PyError(isUnknown(v) ? 'Unknown' : 'TypeError', `${what}: expected a number, got ${repr(v)}`, n);
  };

  const intC = cls('int', object, (a, n) => {
    const v = a.pos[0] ?? 0;
    if (typeof v === 'number') return Math.trunc(v);
    if (typeof v === 'boolean') return Number(v);
    if (typeof v === 'string') {
      const base = typeof a.pos[1] === 'number' ? a.pos[1] : 10;
      const r = parseInt(v.trim(), base);
      if (Number.isNaN(r)) throw new PyError('ValueError', `invalid literal for int(): '${v}'`, n);
      return r;
    }
    if (isTensor(v) || isUnknown(v)) return UNKNOWN;
    throw new PyError('TypeError', `int() argument must be a number, not '${repr(v)}'`, n);
  });
  const boolC = cls('bool', intC, (a, n) => (a.pos.length ? it.truthy(a.pos[0], n) ?? UNKNOWN : false));
  const floatC = cls('float', object, (a, n) => {
    const v = a.pos[0] ?? 0;
    if (typeof v === 'number' || typeof v === 'boolean') return Number(v);
    if (typeof v === 'string') {
      const s = v.trim().toLowerCase();
      if (s === 'inf' || s === '+inf' || s === 'infinity') return Infinity;
      if (s === '-inf' || s === '-infinity') return -Infinity;
      if (s === 'nan') return NaN;
      const r = parseFloat(s);
      if (Number.isNaN(r)) throw new PyError('ValueError', `could not convert string to float: '${v}'`, n);
      return r;
    }
    if (isTensor(v) || isUnknown(v)) return UNKNOWN;
    throw new PyError('TypeError', 'float() argument must be a number', n);
  });
  const strC = cls('str', object, (a) => (a.pos.length ? it.str(a.pos[0]) : ''));
  const listC = cls('list', object, (a, n) => list(a.pos.length ? it.iterate(a.pos[0], n) : []));
  const tupleC = cls('tuple', object, (a, n) => tuple(a.pos.length ? it.iterate(a.pos[0], n) : []));
  const dictCtor = (a: Args, n: PNode | undefined): PyDict => {
    const d = dictFrom([]);
    if (a.pos.length) {
      const src = a.pos[0];
      if (src && typeof src === 'object' && src.kind === 'dict') for (const [k, v] of src.map.values()) dictSet(d, k, v);
      else for (const kv of it.iterate(src, n)) { const p = it.iterate(kv, n); dictSet(d, p[0], p[1]); }
    }
    for (const [k, v] of a.kw) dictSet(d, k, v);
    return d;
  };
  const dictC = cls('dict', object, dictCtor);
  // dict.__init__ on a subclass instance (class AttrDict(dict)) fills its payload
  dictC.dict.set('__init__', bi('__init__', (a, n) => {
    const self = a.pos[0];
    if (self && typeof self === 'object' && self.kind === 'instance') {
      const d = dictCtor({ pos: a.pos.slice(1), kw: a.kw }, n);
      const pd = dictPayload(self);
      if (pd) for (const [k, v] of d.map.values()) dictSet(pd, k, v);
      else self.payload = d;
    }
    return null;
  }, true));
  const setC = cls('set', object, (a, n) => {
    const s = { kind: 'set' as const, map: new Map<string, Value>() };
    if (a.pos.length) for (const v of it.iterate(a.pos[0], n)) s.map.set(keyOf(v), v);
    return s;
  });
  add('frozenset', setC);
  const typeC = cls('type', object, (a) => classOf(a.pos[0]));
  const noneC = mkClass('NoneType', [object]);
  const funcC = mkClass('function', [object]);
  const rangeC = cls('range', object, (a, n) => {
    const ns = a.pos.map((v) => num(v, n, 'range'));
    if (ns.length === 1) return { kind: 'range', start: 0, stop: ns[0], step: 1 };
    if (ns.length === 2) return { kind: 'range', start: ns[0], stop: ns[1], step: 1 };
    return { kind: 'range', start: ns[0], stop: ns[1], step: ns[2] };
  });
  const sliceC = cls('slice', object, (a) => {
    const p = a.pos;
    if (p.length === 1) return { kind: 'slice', start: null, stop: p[0], step: null };
    return { kind: 'slice', start: p[0] ?? null, stop: p[1] ?? null, step: p[2] ?? null };
  });

  // exceptions
  const baseExc = cls('BaseException');
  const exc = cls('Exception', baseExc);
  for (const c of [baseExc, exc]) ctors.set(c, (a) => ({ kind: 'instance', cls: c, attrs: new Map(), payload: tuple(a.pos) }));
  const excNames: [string, string][] = [
    ['ValueError', 'Exception'], ['TypeError', 'Exception'], ['KeyError', 'LookupError'], ['IndexError', 'LookupError'],
    ['AttributeError', 'Exception'], ['RuntimeError', 'Exception'], ['NotImplementedError', 'RuntimeError'],
    ['ImportError', 'Exception'], ['ModuleNotFoundError', 'ImportError'], ['AssertionError', 'Exception'],
    ['StopIteration', 'Exception'], ['ZeroDivisionError', 'ArithmeticError'], ['NameError', 'Exception'],
    ['Warning', 'Exception'], ['UserWarning', 'Warning'], ['DeprecationWarning', 'Warning'], ['FutureWarning', 'Warning'],
    ['OSError', 'Exception'], ['FileNotFoundError', 'OSError'], ['RecursionError', 'RuntimeError'], ['OverflowError', 'ArithmeticError'],
  ];
  cls('LookupError', exc); cls('ArithmeticError', exc);
  for (const [n, b] of excNames) {
    const c = cls(n, C[b]);
    ctors.set(c, (a) => ({ kind: 'instance', cls: c, attrs: new Map(), payload: tuple(a.pos) }));
  }
  for (const c of [C.LookupError, C.ArithmeticError]) ctors.set(c, (a) => ({ kind: 'instance', cls: c, attrs: new Map(), payload: tuple(a.pos) }));
  add('NotImplemented', opaque('NotImplemented', 'NotImplemented'));
  add('Ellipsis', { kind: 'ellipsis' });
  add('__name__', '__ghn__');

  let partialC: PyClass = object;
  function classOf(v: Value): PyClass {
    if (v === null) return noneC;
    switch (typeof v) {
      case 'boolean': return boolC;
      case 'number': return Number.isInteger(v) ? intC : floatC;
      case 'string': return strC;
    }
    switch (v.kind) {
      case 'list': return listC;
      case 'tuple': return tupleC;
      case 'dict': return dictC;
      case 'set': return setC;
      case 'range': return rangeC;
      case 'slice': return sliceC;
      case 'instance': return v.cls;
      case 'class': return typeC;
      case 'tensor': return tensorClass();
      case 'partial': return partialC;
      case 'function': case 'builtin': case 'bound': return funcC;
    }
    return object;
  }

  // abstract classes for isinstance
  const abstract = (name: string, check: (v: Value) => boolean): PyClass => {
    const c = mkClass(name, [object], 'abstract');
    checks.set(c, check);
    return c;
  };
  const isSeq = (v: Value): boolean => typeof v === 'string' || (!!v && typeof v === 'object' && (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'range'));
  const isCallable = (v: Value): boolean => !!v && typeof v === 'object' && ['function', 'builtin', 'bound', 'partial', 'class'].includes(v.kind) || (!!v && typeof v === 'object' && v.kind === 'instance' && (!!v.mod || !!it.findClassAttr(v.cls, '__call__')));
  const Sequence = abstract('Sequence', isSeq);
  const Iterable = abstract('Iterable', (v) => isSeq(v) || (!!v && typeof v === 'object' && ['dict', 'set', 'iterator'].includes(v.kind)));
  const Mapping = abstract('Mapping', (v) => !!v && typeof v === 'object' && v.kind === 'dict');
  const Callable = abstract('Callable', isCallable);
  const Any = abstract('Any', () => true);

  function isinstance(v: Value, c: Value, n: PNode | undefined): boolean {
    if (c && typeof c === 'object' && c.kind === 'tuple') return c.items.some((x) => isinstance(v, x, n));
    if (!c || typeof c !== 'object' || c.kind !== 'class') return false;
    const chk = checks.get(c);
    if (chk) return chk(v);
    if (c === floatC && typeof v === 'number') return true; // ints that came from float arithmetic
    if (c === intC && typeof v === 'number') return Number.isInteger(v);
    const vc = classOf(v);
    return vc.mro.includes(c);
  }

  // ----- builtin functions
  add('len', bi('len', (a, n) => { const r = it.len(a.pos[0], n); return r === undefined ? UNKNOWN : r; }));
  add('print', bi('print', () => null));
  add('isinstance', bi('isinstance', (a, n) => isinstance(a.pos[0], a.pos[1], n)));
  add('issubclass', bi('issubclass', (a) => {
    const c = a.pos[0], b = a.pos[1];
    const bs = b && typeof b === 'object' && b.kind === 'tuple' ? b.items : [b];
    return !!c && typeof c === 'object' && c.kind === 'class' && bs.some((x) => !!x && typeof x === 'object' && x.kind === 'class' && c.mro.includes(x));
  }));
  add('callable', bi('callable', (a) => isCallable(a.pos[0])));
  add('hasattr', bi('hasattr', (a, n) => {
    try { it.getAttr(a.pos[0], String(a.pos[1]), n); return true; } catch (e) { if (e instanceof PyError) return false; throw e; }
  }));
  add('getattr', bi('getattr', (a, n) => {
    try { return it.getAttr(a.pos[0], String(a.pos[1]), n); } catch (e) {
      if (e instanceof PyError && a.pos.length > 2) return a.pos[2];
      throw e;
    }
  }));
  add('setattr', bi('setattr', (a, n) => { it.setAttr(a.pos[0], String(a.pos[1]), a.pos[2], n); return null; }));
  add('delattr', bi('delattr', (a) => { const o = a.pos[0]; if (o && typeof o === 'object' && o.kind === 'instance') { if (!it.hooks.delAttrSpecial(o, String(a.pos[1]))) o.attrs.delete(String(a.pos[1])); } return null; }));
  add('abs', bi('abs', (a, n) => { const v = a.pos[0]; if (isUnknown(v)) return UNKNOWN; if (isTensor(v)) return it.hooks.unarySpecial('abs', v, n!) ?? UNKNOWN; return Math.abs(num(v, n, 'abs')); }));
  add('round', bi('round', (a, n) => {
    const v = a.pos[0];
    if (isUnknown(v)) return UNKNOWN;
    const x = num(v, n, 'round');
    const nd = a.pos[1] ?? a.kw.get('ndigits') ?? null;
    if (nd === null) {
      const f = Math.floor(x), d = x - f;
      if (d === 0.5) return f % 2 === 0 ? f : f + 1;
      return Math.round(x);
    }
    const p = Math.pow(10, num(nd, n, 'round'));
    return Math.round(x * p) / p;
  }));
  add('pow', bi('pow', (a, n) => Math.pow(num(a.pos[0], n, 'pow'), num(a.pos[1], n, 'pow'))));
  add('divmod', bi('divmod', (a, n) => { const x = num(a.pos[0], n, 'divmod'), y = num(a.pos[1], n, 'divmod'); return tuple([Math.floor(x / y), x - y * Math.floor(x / y)]); }));
  const minmax = (isMax: boolean) => (a: Args, n: PNode | undefined): Value => {
    const items = a.pos.length === 1 ? it.iterate(a.pos[0], n) : a.pos;
    const key = a.kw.get('key');
    if (!items.length) { if (a.kw.has('default')) return a.kw.get('default')!; throw new PyError('ValueError', `${isMax ? 'max' : 'min'}() arg is an empty sequence`, n); }
    let best = items[0];
    let bestK = key ? it.call(key, { pos: [best], kw: new Map() }, n) : best;
    for (const x of items.slice(1)) {
      const k = key ? it.call(key, { pos: [x], kw: new Map() }, n) : x;
      const c = it.cmp(k, bestK, n!);
      if (c === undefined) return UNKNOWN;
      if (isMax ? c > 0 : c < 0) { best = x; bestK = k; }
    }
    return best;
  };
  add('min', bi('min', minmax(false)));
  add('max', bi('max', minmax(true)));
  add('sum', bi('sum', (a, n) => {
    let acc: Value = a.pos[1] ?? a.kw.get('start') ?? 0;
    for (const x of it.iterate(a.pos[0], n)) acc = it.binop('+', acc, x, n!);
    return acc;
  }));
  add('any', bi('any', (a, n) => { let u = false; for (const x of it.iterate(a.pos[0], n)) { const t = it.truthy(x, n); if (t) return true; if (t === undefined) u = true; } return u ? UNKNOWN : false; }));
  add('all', bi('all', (a, n) => { let u = false; for (const x of it.iterate(a.pos[0], n)) { const t = it.truthy(x, n); if (t === false) return false; if (t === undefined) u = true; } return u ? UNKNOWN : true; }));
  add('enumerate', bi('enumerate', (a, n) => {
    const start = (a.pos[1] ?? a.kw.get('start') ?? 0) as number;
    return { kind: 'iterator', items: it.iterate(a.pos[0], n).map((v, i) => tuple([i + start, v])), pos: 0 };
  }));
  add('zip', bi('zip', (a, n) => {
    const lists = a.pos.map((x) => it.iterate(x, n));
    const len = lists.length ? Math.min(...lists.map((l) => l.length)) : 0;
    const out: Value[] = [];
    for (let i = 0; i < len; i++) out.push(tuple(lists.map((l) => l[i])));
    return { kind: 'iterator', items: out, pos: 0 };
  }));
  add('map', bi('map', (a, n) => {
    const lists = a.pos.slice(1).map((x) => it.iterate(x, n));
    const len = lists.length ? Math.min(...lists.map((l) => l.length)) : 0;
    const out: Value[] = [];
    for (let i = 0; i < len; i++) out.push(it.call(a.pos[0], { pos: lists.map((l) => l[i]), kw: new Map() }, n));
    return { kind: 'iterator', items: out, pos: 0 };
  }));
  add('filter', bi('filter', (a, n) => ({
    kind: 'iterator', pos: 0,
    items: it.iterate(a.pos[1], n).filter((x) => (a.pos[0] === null ? it.truthy(x, n) : it.truthy(it.call(a.pos[0], { pos: [x], kw: new Map() }, n), n))),
  })));
  add('sorted', bi('sorted', (a, n) => list(sortValues(it, it.iterate(a.pos[0], n), a.kw.get('key'), it.truthy(a.kw.get('reverse') ?? false, n) === true, n))));
  add('reversed', bi('reversed', (a, n) => ({ kind: 'iterator', items: it.iterate(a.pos[0], n).reverse(), pos: 0 })));
  add('iter', bi('iter', (a, n) => ({ kind: 'iterator', items: it.iterate(a.pos[0], n), pos: 0 })));
  add('next', bi('next', (a, n) => {
    const v = a.pos[0];
    if (v && typeof v === 'object' && v.kind === 'iterator') {
      if (v.pos < v.items.length) return v.items[v.pos++];
      if (a.pos.length > 1) return a.pos[1];
      throw new PyError('StopIteration', '', n, true);
    }
    const items = it.iterate(v, n);
    if (items.length) return items[0];
    if (a.pos.length > 1) return a.pos[1];
    throw new PyError('StopIteration', '', n, true);
  }));
  add('repr', bi('repr', (a) => repr(a.pos[0], 1)));
  add('format', bi('format', (a) => formatValue(a.pos[0], typeof a.pos[1] === 'string' ? a.pos[1] : '')));
  add('id', bi('id', (a) => (a.pos[0] && typeof a.pos[0] === 'object' ? Number(keyOf(a.pos[0]).slice(1)) : 0)));
  add('hash', bi('hash', (a) => keyOf(a.pos[0]).length));
  add('ord', bi('ord', (a) => String(a.pos[0]).charCodeAt(0)));
  add('chr', bi('chr', (a) => String.fromCharCode(Number(a.pos[0]))));
  add('vars', bi('vars', (a) => { const o = a.pos[0]; return o && typeof o === 'object' && o.kind === 'instance' ? dictFrom([...o.attrs.entries()]) : dictFrom([]); }));
  add('locals', bi('locals', () => dictFrom([])));
  add('globals', bi('globals', () => dictFrom([])));
  add('open', bi('open', () => opaque('file')));
  add('input', bi('input', () => UNKNOWN));
  add('exit', bi('exit', (_a, n) => { throw new PyError('SystemExit', 'exit()', n, true); }));
  add('quit', it.builtins.get('exit')!);
  add('staticmethod', bi('staticmethod', (a) => ({ kind: 'staticmethod', fn: a.pos[0] })));
  add('classmethod', bi('classmethod', (a) => ({ kind: 'classmethod', fn: a.pos[0] })));
  add('property', bi('property', (a) => ({ kind: 'property', fn: a.pos[0] })));
  add('__import__', bi('__import__', () => opaque('module')));
  void sliceC; void Sequence; void Iterable; void Mapping; void Callable; void Any; void funcC;

  // ----- methods of builtin types
  it.builtinMethod = (obj, name, node) => builtinMethod(it, obj, name, node);

  // ----- native modules
  const nativeModules = new Map<string, PyModule>();
  const mod = (name: string, entries: Record<string, Value>): PyModule => {
    const m: PyModule = { kind: 'module', name, isPackage: false, globals: new Scope(undefined, undefined), native: new Map(Object.entries(entries)) };
    m.globals.module = m;
    nativeModules.set(name, m);
    return m;
  };
  const f1 = (name: string, fn: (x: number) => number) => bi(name, (a, n) => {
    const v = a.pos[0];
    if (isUnknown(v) || isTensor(v)) return UNKNOWN;
    return fn(num(v, n, name));
  });
  mod('math', {
    ceil: f1('ceil', Math.ceil), floor: f1('floor', Math.floor), sqrt: f1('sqrt', Math.sqrt), exp: f1('exp', Math.exp),
    log2: f1('log2', Math.log2), log10: f1('log10', Math.log10), fabs: f1('fabs', Math.abs), trunc: f1('trunc', Math.trunc),
    sin: f1('sin', Math.sin), cos: f1('cos', Math.cos), tan: f1('tan', Math.tan), atan: f1('atan', Math.atan), tanh: f1('tanh', Math.tanh),
    radians: f1('radians', (x) => (x * Math.PI) / 180), degrees: f1('degrees', (x) => (x * 180) / Math.PI),
    isfinite: bi('isfinite', (a) => Number.isFinite(a.pos[0] as number)), isnan: bi('isnan', (a) => Number.isNaN(a.pos[0] as number)),
    isinf: bi('isinf', (a) => { const x = a.pos[0] as number; return !Number.isFinite(x) && !Number.isNaN(x); }),
    log: bi('log', (a, n) => { if (isUnknown(a.pos[0])) return UNKNOWN; const x = num(a.pos[0], n, 'log'); return a.pos.length > 1 ? Math.log(x) / Math.log(num(a.pos[1], n, 'log')) : Math.log(x); }),
    pow: bi('pow', (a, n) => Math.pow(num(a.pos[0], n, 'pow'), num(a.pos[1], n, 'pow'))),
    gcd: bi('gcd', (a, n) => { let x = Math.abs(num(a.pos[0], n, 'gcd')), y = Math.abs(num(a.pos[1] ?? 0, n, 'gcd')); while (y) [x, y] = [y, x % y]; return x; }),
    prod: bi('prod', (a, n) => { let p: Value = 1; for (const x of it.iterate(a.pos[0], n)) p = it.binop('*', p, x, n!); return p; }),
    isclose: bi('isclose', (a) => Math.abs(Number(a.pos[0]) - Number(a.pos[1])) <= 1e-9 * Math.max(Math.abs(Number(a.pos[0])), Math.abs(Number(a.pos[1])))),
    pi: Math.PI, e: Math.E, inf: Infinity, nan: NaN, tau: 2 * Math.PI,
  });
  const partial = mkClass('partial', [object], 'partial');
  ctors.set(partial, (a) => ({ kind: 'partial', fn: a.pos[0], args: a.pos.slice(1), kw: new Map(a.kw) }));
  const identityDecorator = bi('decorator', (a) => {
    if (a.pos.length === 1 && a.kw.size === 0 && a.pos[0] && typeof a.pos[0] === 'object' && ['function', 'class', 'bound', 'builtin'].includes(a.pos[0].kind)) return a.pos[0];
    return bi('decorator', (b) => b.pos[0] ?? null);
  });
  partialC = partial;
  mod('functools', {
    partial, wraps: bi('wraps', () => bi('wraps', (b) => b.pos[0] ?? null)), lru_cache: identityDecorator, cache: identityDecorator,
    cached_property: bi('cached_property', (a) => ({ kind: 'property', fn: a.pos[0] })),
    reduce: bi('reduce', (a, n) => {
      const items = it.iterate(a.pos[1], n);
      let acc: Value = a.pos.length > 2 ? a.pos[2] : items.shift()!;
      for (const x of items) acc = it.call(a.pos[0], { pos: [acc, x], kw: new Map() }, n);
      return acc;
    }),
  });
  const ordered = cls('OrderedDict', dictC, (a, n) => { const d = dictCtor(a, n); d.ordered = true; return d; });
  it.builtins.delete('OrderedDict');
  const defaultdict = mkClass('defaultdict', [dictC]);
  ctors.set(defaultdict, (a, n) => { const d = dictCtor({ pos: a.pos.slice(1), kw: a.kw }, n); d.defaultFactory = a.pos[0] ?? null; return d; });
  const namedtuple = bi('namedtuple', (a, n) => {
    const fieldsV = a.pos[1] ?? a.kw.get('field_names') ?? list([]);
    const names = typeof fieldsV === 'string' ? fieldsV.replace(/,/g, ' ').split(/\s+/).filter(Boolean) : it.iterate(fieldsV, n).map(String);
    const c = mkClass(String(a.pos[0]), [tupleC], 'namedtuple');
    ctors.set(c, (b) => {
      const items = names.map((nm, i) => (i < b.pos.length ? b.pos[i] : b.kw.get(nm) ?? null));
      return { kind: 'tuple', items, names };
    });
    return c;
  });
  const deque = cls('deque', listC, (a, n) => list(a.pos.length ? it.iterate(a.pos[0], n) : []));
  it.builtins.delete('deque');
  const abcMod = mod('collections.abc', { Sequence, Iterable, Mapping, Callable, Iterator: Iterable, MutableMapping: Mapping, MutableSequence: Sequence });
  mod('collections', { OrderedDict: ordered, defaultdict, namedtuple, deque, abc: abcMod, Counter: dictC });
  const typeVar = bi('TypeVar', (a) => opaque(`TypeVar ${String(a.pos[0])}`));
  const typingEntries: Record<string, Value> = {
    Any, Callable, Sequence, Iterable, Mapping, Iterator: Iterable, MutableMapping: Mapping,
    List: listC, Dict: dictC, Tuple: tupleC, Set: setC, FrozenSet: setC, Type: typeC, Optional: Any, Union: Any, Literal: Any,
    Final: Any, ClassVar: Any, Generic: object, Protocol: object, NamedTuple: mkClass('NamedTuple', [tupleC], 'namedtuple'),
    TypeVar: typeVar, cast: bi('cast', (a) => a.pos[1] ?? null), overload: identityDecorator, no_type_check: identityDecorator,
    TYPE_CHECKING: false, OrderedDict: ordered, DefaultDict: dictC, Text: strC, Hashable: Any, Sized: Any, Container: Any,
    get_type_hints: bi('get_type_hints', () => dictFrom([])), final: identityDecorator,
  };
  mod('typing', typingEntries);
  mod('typing_extensions', typingEntries);
  const Enum = mkClass('Enum', [object], 'enum');
  Enum.isEnum = true;
  mod('enum', { Enum, IntEnum: Enum, StrEnum: Enum, Flag: Enum, IntFlag: Enum, auto: bi('auto', () => UNKNOWN), unique: identityDecorator });
  mod('dataclasses', { dataclass: identityDecorator, field: bi('field', () => null), fields: bi('fields', () => tuple([])), asdict: bi('asdict', () => dictFrom([])) });
  const itertools = {
    product: bi('product', (a, n) => {
      const rep = typeof a.kw.get('repeat') === 'number' ? (a.kw.get('repeat') as number) : 1;
      let pools = a.pos.map((x) => it.iterate(x, n));
      const base = pools;
      for (let r = 1; r < rep; r++) pools = pools.concat(base);
      let acc: Value[][] = [[]];
      for (const p of pools) { const next: Value[][] = []; for (const pre of acc) for (const x of p) next.push([...pre, x]); acc = next; if (acc.length > 1e5) break; }
      return { kind: 'iterator', items: acc.map((t) => tuple(t)), pos: 0 };
    }),
    chain: Object.assign(bi('chain', (a, n) => ({ kind: 'iterator', items: a.pos.flatMap((x) => it.iterate(x, n)), pos: 0 })), {}),
    repeat: bi('repeat', (a) => ({ kind: 'iterator', items: Array.from({ length: typeof a.pos[1] === 'number' ? a.pos[1] : 0 }, () => a.pos[0]), pos: 0 })),
    accumulate: bi('accumulate', (a, n) => {
      const out: Value[] = []; let acc: Value | undefined;
      for (const x of it.iterate(a.pos[0], n)) { acc = acc === undefined ? x : a.pos[1] ? it.call(a.pos[1], { pos: [acc, x], kw: new Map() }, n) : it.binop('+', acc, x, n!); out.push(acc); }
      return { kind: 'iterator', items: out, pos: 0 };
    }),
    combinations: bi('combinations', (a, n) => {
      const items = it.iterate(a.pos[0], n); const r = Number(a.pos[1]); const out: Value[] = [];
      const rec = (start: number, cur: Value[]): void => { if (cur.length === r) { out.push(tuple([...cur])); return; } for (let i = start; i < items.length; i++) rec(i + 1, [...cur, items[i]]); };
      rec(0, []);
      return { kind: 'iterator', items: out, pos: 0 };
    }),
    islice: bi('islice', (a, n) => {
      const items = it.iterate(a.pos[0], n);
      const [s, e] = a.pos.length === 2 ? [0, a.pos[1]] : [a.pos[1], a.pos[2]];
      return { kind: 'iterator', items: items.slice(Number(s ?? 0), e === null ? undefined : Number(e)), pos: 0 };
    }),
    zip_longest: bi('zip_longest', (a, n) => {
      const lists = a.pos.map((x) => it.iterate(x, n)); const len = Math.max(0, ...lists.map((l) => l.length));
      const fill = a.kw.get('fillvalue') ?? null;
      return { kind: 'iterator', items: Array.from({ length: len }, (_, i) => tuple(lists.map((l) => (i < l.length ? l[i] : fill)))), pos: 0 };
    }),
  };
  mod('itertools', itertools);
  const deepcopy = bi('deepcopy', (a) => deepCopy(a.pos[0], new Map()));
  mod('copy', { deepcopy, copy: bi('copy', (a) => shallowCopy(a.pos[0])) });
  const noop = bi('noop', () => null);
  mod('warnings', { warn: noop, filterwarnings: noop, simplefilter: noop, catch_warnings: bi('catch_warnings', () => opaque('catch_warnings')) });
  mod('sys', { version_info: tuple([3, 10, 0]), platform: 'linux', argv: list(['']), maxsize: 2 ** 53, modules: dictFrom([]), path: list([]), stderr: opaque('stderr'), stdout: opaque('stdout') });
  mod('logging', { getLogger: bi('getLogger', () => opaque('logger')), info: noop, warning: noop, debug: noop, basicConfig: noop, INFO: 20, DEBUG: 10, WARNING: 30 });
  const opMod: Record<string, Value> = {};
  for (const [k, op] of Object.entries({ add: '+', sub: '-', mul: '*', truediv: '/', floordiv: '//', mod: '%', pow: '**', matmul: '@' })) {
    opMod[k] = bi(k, (a, n) => it.binop(op, a.pos[0], a.pos[1], n!));
  }
  opMod.itemgetter = bi('itemgetter', (a) => bi('itemgetter', (b, n) => (a.pos.length === 1 ? it.getItem(b.pos[0], a.pos[0], n!) : tuple(a.pos.map((k) => it.getItem(b.pos[0], k, n!))))));
  opMod.attrgetter = bi('attrgetter', (a) => bi('attrgetter', (b, n) => it.getAttr(b.pos[0], String(a.pos[0]), n)));
  mod('operator', opMod);
  mod('numbers', { Number: mkClass('Number', [object], 'abstract'), Integral: intC, Real: floatC });
  checks.set(nativeModules.get('numbers')!.native!.get('Number') as PyClass, (v) => typeof v === 'number');
  const npf = (name: string, fn: (x: number) => number) => bi(name, (a, n) => {
    const v = a.pos[0];
    if (v && typeof v === 'object' && (v.kind === 'list' || v.kind === 'tuple')) return list(v.items.map((x) => fn(num(x, n, name))));
    if (isUnknown(v) || isTensor(v)) return UNKNOWN;
    return fn(num(v, n, name));
  });
  mod('numpy', {
    prod: bi('prod', (a, n) => { let p: Value = 1; for (const x of it.iterate(a.pos[0], n)) p = it.binop('*', p, x, n!); return p; }),
    sum: bi('sum', (a, n) => { let p: Value = 0; for (const x of it.iterate(a.pos[0], n)) p = it.binop('+', p, x, n!); return p; }),
    sqrt: npf('sqrt', Math.sqrt), ceil: npf('ceil', Math.ceil), floor: npf('floor', Math.floor), log: npf('log', Math.log), log2: npf('log2', Math.log2),
    exp: npf('exp', Math.exp), abs: npf('abs', Math.abs), round: npf('round', Math.round),
    int: intC, float: floatC, int32: intC, int64: intC, float32: floatC, float64: floatC, pi: Math.PI, inf: Infinity, e: Math.E,
    linspace: bi('linspace', (a, n) => { const s = num(a.pos[0], n, 'linspace'), e = num(a.pos[1], n, 'linspace'), k = num(a.pos[2] ?? a.kw.get('num') ?? 50, n, 'linspace'); return list(Array.from({ length: k }, (_, i) => (k === 1 ? s : s + ((e - s) * i) / (k - 1)))); }),
    arange: bi('arange', (a, n) => { const ns = a.pos.map((x) => num(x, n, 'arange')); const [s, e, st] = ns.length === 1 ? [0, ns[0], 1] : [ns[0], ns[1], ns[2] ?? 1]; const out: Value[] = []; for (let x = s; st > 0 ? x < e : x > e; x += st) out.push(x); return list(out); }),
    cumsum: bi('cumsum', (a, n) => { let acc = 0; return list(it.iterate(a.pos[0], n).map((x) => (acc += num(x, n, 'cumsum')))); }),
    array: bi('array', (a) => npArray(a.pos[0])),
    asarray: bi('asarray', (a) => npArray(a.pos[0])),
    eye: bi('eye', (a) => { const k = Number(a.pos[0]); const d: number[] = []; for (let i = 0; i < k * k; i++) d.push(i % (k + 1) === 0 ? 1 : 0); return { kind: 'tensor', shape: [k, k], dtype: 'float64', data: d }; }),
    zeros: bi('zeros', (a, n) => npFull(a.pos[0], 0, it, n)),
    ones: bi('ones', (a, n) => npFull(a.pos[0], 1, it, n)),
    max: bi('max', minmax(true)), min: bi('min', minmax(false)),
  });
  mod('os', { path: opaque('os.path'), environ: dictFrom([]), getenv: bi('getenv', (a) => a.pos[1] ?? null), sep: '/' });
  mod('abc', { ABC: object, ABCMeta: typeC, abstractmethod: identityDecorator });
  mod('inspect', { signature: bi('signature', () => opaque('signature')), isclass: bi('isclass', (a) => !!a.pos[0] && typeof a.pos[0] === 'object' && a.pos[0].kind === 'class'), isfunction: bi('isfunction', (a) => !!a.pos[0] && typeof a.pos[0] === 'object' && a.pos[0].kind === 'function') });
  mod('types', { FunctionType: funcC, SimpleNamespace: object, MethodType: funcC });
  mod('re', { sub: bi('sub', (a) => a.pos[2] ?? ''), match: bi('match', () => null), compile: bi('compile', () => opaque('pattern')), search: bi('search', () => null), split: bi('split', (a) => list([a.pos[1] ?? ''])) });

  // argparse: scripts that build the model from `opt = parser.parse_args()` get the defaults
  const parserCls = mkClass('ArgumentParser', [object], 'argparse');
  const nsCls = mkClass('Namespace', [object], 'argparse');
  ctors.set(nsCls, (a) => ({ kind: 'instance', cls: nsCls, attrs: new Map(a.kw) }));
  ctors.set(parserCls, () => ({ kind: 'instance', cls: parserCls, attrs: new Map(), payload: dictFrom([]) }));
  const pm = (name: string, f: (self: PyInstance, a: Args, n: PNode | undefined) => Value): void => {
    parserCls.dict.set(name, bi(name, (a, n) => f(a.pos[0] as PyInstance, { pos: a.pos.slice(1), kw: a.kw }, n), true));
  };
  pm('add_argument', (self, a) => {
    const names = a.pos.filter((x): x is string => typeof x === 'string');
    const long = names.find((x) => x.startsWith('--')) ?? names[0] ?? '';
    const dest = typeof a.kw.get('dest') === 'string' ? (a.kw.get('dest') as string) : long.replace(/^-+/, '').replace(/-/g, '_');
    const action = a.kw.get('action');
    let def: Value = a.kw.has('default') ? a.kw.get('default')! : action === 'store_true' ? false : action === 'store_false' ? true : null;
    if (typeof def === 'string' && a.kw.get('type') === C.int) def = parseInt(def, 10);
    if (typeof def === 'string' && a.kw.get('type') === C.float) def = parseFloat(def);
    dictSet(self.payload as PyDict, dest, def);
    return null;
  });
  pm('add_argument_group', (self) => self);
  pm('add_mutually_exclusive_group', (self) => self);
  pm('set_defaults', (self, a) => { for (const [k, v] of a.kw) dictSet(self.payload as PyDict, k, v); return null; });
  pm('parse_args', (self) => ({ kind: 'instance', cls: nsCls, attrs: new Map([...(self.payload as PyDict).map.values()].map(([k, v]) => [String(k), v])) }));
  pm('parse_known_args', (self) => tuple([{ kind: 'instance', cls: nsCls, attrs: new Map([...(self.payload as PyDict).map.values()].map(([k, v]) => [String(k), v])) }, list([])]));
  pm('print_help', () => null);
  mod('argparse', { ArgumentParser: parserCls, Namespace: nsCls, ArgumentDefaultsHelpFormatter: object, RawTextHelpFormatter: object });

  return { ctors, checks, classOf, nativeModules };
}

/** numpy arrays are constant tensors (their values kept when small). */
function npArray(v: Value): Value {
  const flat: number[] = [];
  const shape: number[] = [];
  const walk = (x: Value, d: number): boolean => {
    if (typeof x === 'number' || typeof x === 'boolean') { flat.push(Number(x)); return true; }
    if (x && typeof x === 'object' && (x.kind === 'list' || x.kind === 'tuple')) {
      if (shape.length <= d) shape.push(x.items.length);
      return x.items.every((y) => walk(y, d + 1));
    }
    return false;
  };
  if (isTensor(v)) return v;
  if (!walk(v, 0)) return UNKNOWN;
  return { kind: 'tensor', shape, dtype: flat.every(Number.isInteger) ? 'int64' : 'float64', data: flat };
}

function npFull(shapeV: Value, fill: number, it: Interp, n: PNode | undefined): Value {
  const shape = typeof shapeV === 'number' ? [shapeV] : it.iterate(shapeV, n).map(Number);
  const size = shape.reduce((p, d) => p * d, 1);
  return { kind: 'tensor', shape, dtype: 'float64', data: size <= 4096 ? new Array(size).fill(fill) : undefined };
}

function sortValues(it: Interp, items: Value[], key: Value | undefined, reverse: boolean, n: PNode | undefined): Value[] {
  const keyed = items.map((x) => ({ x, k: key && key !== null ? it.call(key, { pos: [x], kw: new Map() }, n) : x }));
  keyed.sort((p, q) => it.cmp(p.k, q.k, n!) ?? 0);
  if (reverse) keyed.reverse();
  return keyed.map((p) => p.x);
}

export function shallowCopy(v: Value): Value {
  if (v === null || typeof v !== 'object') return v;
  switch (v.kind) {
    case 'list': return list([...v.items]);
    case 'dict': return { ...v, map: new Map([...v.map.entries()].map(([k, e]) => [k, [e[0], e[1]]])) };
    case 'set': return { kind: 'set', map: new Map(v.map) };
    case 'instance': return { kind: 'instance', cls: v.cls, attrs: new Map(v.attrs), mod: v.mod ? { ...v.mod, params: new Map(v.mod.params), buffers: new Map(v.mod.buffers), children: new Map(v.mod.children), nonPersistent: new Set(v.mod.nonPersistent), calls: 0 } : undefined, payload: v.payload };
  }
  return v;
}

export function deepCopy(v: Value, memo: Map<object, Value>): Value {
  if (v === null || typeof v !== 'object') return v;
  const hit = memo.get(v);
  if (hit !== undefined) return hit;
  switch (v.kind) {
    case 'list': { const l = list([]); memo.set(v, l); l.items = v.items.map((x) => deepCopy(x, memo)); return l; }
    case 'tuple': return { ...v, items: v.items.map((x) => deepCopy(x, memo)) };
    case 'dict': { const d: PyDict = { ...v, map: new Map() }; memo.set(v, d); for (const [k, [kk, vv]] of v.map) d.map.set(k, [kk, deepCopy(vv, memo)]); return d; }
    case 'tensor': { const t = { ...v, shape: [...v.shape], param: v.param ? { ...v.param } : undefined }; if (!t.param) delete t.param; delete t.src; memo.set(v, t); return t; }
    case 'instance': {
      const inst: PyInstance = { kind: 'instance', cls: v.cls, attrs: new Map(), payload: v.payload };
      memo.set(v, inst);
      for (const [k, x] of v.attrs) inst.attrs.set(k, deepCopy(x, memo));
      if (v.mod) {
        const m = v.mod;
        inst.mod = {
          ...m, calls: 0, path: undefined,
          params: new Map([...m.params].map(([k, t]) => [k, t ? (deepCopy(t, memo) as typeof t) : null])),
          buffers: new Map([...m.buffers].map(([k, t]) => [k, t ? (deepCopy(t, memo) as typeof t) : null])),
          children: new Map([...m.children].map(([k, c]) => [k, c ? (deepCopy(c, memo) as typeof c) : null])),
          nonPersistent: new Set(m.nonPersistent),
        };
      }
      return inst;
    }
  }
  return v;
}

function strMethod(it: Interp, s: string, name: string): Builtin | undefined {
  const m = (f: (a: Args, n: PNode | undefined) => Value): Builtin => bi(name, f);
  switch (name) {
    case 'join': return m((a, n) => it.iterate(a.pos[0], n).map((x) => { if (typeof x !== 'string') throw new PyError('TypeError', 'sequence item: expected str instance', n); return x; }).join(s));
    case 'split': return m((a) => { const sep = a.pos[0] ?? a.kw.get('sep') ?? null; const parts = sep === null ? s.trim().split(/\s+/).filter(Boolean) : s.split(String(sep)); const mx = a.pos[1] ?? a.kw.get('maxsplit'); if (typeof mx === 'number' && mx >= 0 && parts.length > mx + 1) { const head = parts.slice(0, mx); head.push(parts.slice(mx).join(sep === null ? ' ' : String(sep))); return list(head); } return list(parts); });
    case 'rsplit': return m((a) => { const sep = a.pos[0] ?? null; const mx = a.pos[1] ?? a.kw.get('maxsplit'); const parts = sep === null ? s.trim().split(/\s+/) : s.split(String(sep)); if (typeof mx === 'number' && mx >= 0 && parts.length > mx + 1) { const tail = parts.slice(parts.length - mx); return list([parts.slice(0, parts.length - mx).join(sep === null ? ' ' : String(sep)), ...tail]); } return list(parts); });
    case 'strip': return m((a) => (a.pos[0] ? trimChars(s, String(a.pos[0]), true, true) : s.trim()));
    case 'lstrip': return m((a) => (a.pos[0] ? trimChars(s, String(a.pos[0]), true, false) : s.trimStart()));
    case 'rstrip': return m((a) => (a.pos[0] ? trimChars(s, String(a.pos[0]), false, true) : s.trimEnd()));
    case 'replace': return m((a) => s.split(String(a.pos[0])).join(String(a.pos[1])));
    case 'startswith': return m((a, n) => { const p = a.pos[0]; return p && typeof p === 'object' && p.kind === 'tuple' ? p.items.some((x) => s.startsWith(String(x))) : (void n, s.startsWith(String(p))); });
    case 'endswith': return m((a) => { const p = a.pos[0]; return p && typeof p === 'object' && p.kind === 'tuple' ? p.items.some((x) => s.endsWith(String(x))) : s.endsWith(String(p)); });
    case 'lower': return m(() => s.toLowerCase());
    case 'upper': return m(() => s.toUpperCase());
    case 'title': return m(() => s.replace(/\b\w/g, (c) => c.toUpperCase()));
    case 'capitalize': return m(() => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase());
    case 'find': return m((a) => s.indexOf(String(a.pos[0])));
    case 'rfind': return m((a) => s.lastIndexOf(String(a.pos[0])));
    case 'index': return m((a, n) => { const i = s.indexOf(String(a.pos[0])); if (i < 0) throw new PyError('ValueError', 'substring not found', n); return i; });
    case 'count': return m((a) => s.split(String(a.pos[0])).length - 1);
    case 'isdigit': case 'isnumeric': case 'isdecimal': return m(() => /^\d+$/.test(s));
    case 'isalpha': return m(() => /^[A-Za-z]+$/.test(s));
    case 'isupper': return m(() => s === s.toUpperCase() && s !== s.toLowerCase());
    case 'islower': return m(() => s === s.toLowerCase() && s !== s.toUpperCase());
    case 'zfill': return m((a) => s.padStart(Number(a.pos[0]), '0'));
    case 'center': return m((a) => { const w = Number(a.pos[0]); const pad = Math.max(0, w - s.length); const f = String(a.pos[1] ?? ' '); return f.repeat(Math.floor(pad / 2)) + s + f.repeat(Math.ceil(pad / 2)); });
    case 'ljust': return m((a) => s.padEnd(Number(a.pos[0]), String(a.pos[1] ?? ' ')));
    case 'rjust': return m((a) => s.padStart(Number(a.pos[0]), String(a.pos[1] ?? ' ')));
    case 'partition': return m((a) => { const sep = String(a.pos[0]); const i = s.indexOf(sep); return i < 0 ? tuple([s, '', '']) : tuple([s.slice(0, i), sep, s.slice(i + sep.length)]); });
    case 'encode': return m(() => s);
    case 'format': return m((a) => strFormat(it, s, a));
    case 'splitlines': return m(() => list(s.split(/\r?\n/)));
  }
  return undefined;
}

function trimChars(s: string, chars: string, left: boolean, right: boolean): string {
  let a = 0, b = s.length;
  if (left) while (a < b && chars.includes(s[a])) a++;
  if (right) while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function strFormat(it: Interp, fmt: string, a: Args): string {
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}:!]*)(![rs])?(?::([^{}]*))?\}/g, (m, key: string | undefined, conv: string | undefined, spec: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    let v: Value;
    const path = (key ?? '').split('.');
    const head = path[0];
    if (head === '') v = a.pos[auto++];
    else if (/^\d+$/.test(head)) v = a.pos[Number(head)];
    else v = a.kw.get(head) ?? null;
    for (const p of path.slice(1)) v = it.getAttr(v, p, undefined);
    if (conv === '!r') return formatValue(repr(v, 1), spec ?? '');
    return spec ? formatValue(v, spec) : it.str(v);
  });
}

function builtinMethod(it: Interp, obj: Value, name: string, _node: PNode | undefined): Value | undefined {
  if (typeof obj === 'string') return strMethod(it, obj, name);
  if (typeof obj === 'number') {
    if (name === 'is_integer') return bi(name, () => Number.isInteger(obj));
    if (name === 'bit_length') return bi(name, () => (obj === 0 ? 0 : Math.floor(Math.log2(Math.abs(obj))) + 1));
    if (name === 'real') return obj;
    return undefined;
  }
  if (!obj || typeof obj !== 'object') return undefined;
  const m = (f: (a: Args, n: PNode | undefined) => Value): Builtin => bi(name, f);
  switch (obj.kind) {
    case 'list': {
      const items = obj.items;
      switch (name) {
        case 'append': return m((a) => { items.push(a.pos[0]); return null; });
        case 'extend': return m((a, n) => { items.push(...it.iterate(a.pos[0], n)); return null; });
        case 'insert': return m((a) => { let i = Number(a.pos[0]); if (i < 0) i = Math.max(0, items.length + i); items.splice(i, 0, a.pos[1]); return null; });
        case 'pop': return m((a, n) => { if (!items.length) throw new PyError('IndexError', 'pop from empty list', n); let i = a.pos.length ? Number(a.pos[0]) : items.length - 1; if (i < 0) i += items.length; return items.splice(i, 1)[0]; });
        case 'remove': return m((a, n) => { const i = items.findIndex((x) => it.equals(x, a.pos[0]) === true); if (i < 0) throw new PyError('ValueError', 'list.remove(x): x not in list', n); items.splice(i, 1); return null; });
        case 'index': return m((a, n) => { const i = items.findIndex((x) => it.equals(x, a.pos[0]) === true); if (i < 0) throw new PyError('ValueError', 'not in list', n); return i; });
        case 'count': return m((a) => items.filter((x) => it.equals(x, a.pos[0]) === true).length);
        case 'reverse': return m(() => { items.reverse(); return null; });
        case 'sort': return m((a, n) => { const s = sortValues(it, items, a.kw.get('key'), it.truthy(a.kw.get('reverse') ?? false, n) === true, n); items.splice(0, items.length, ...s); return null; });
        case 'copy': return m(() => list([...items]));
        case 'clear': return m(() => { items.length = 0; return null; });
        case 'tolist': return m(() => list([...items]));
      }
      return undefined;
    }
    case 'tuple': {
      if (obj.names) { const i = obj.names.indexOf(name); if (i >= 0) return obj.items[i]; if (name === '_asdict') return m(() => dictFrom(obj.names!.map((k, j) => [k, obj.items[j]]))); if (name === '_replace') return m((a) => ({ ...obj, items: obj.names!.map((k, j) => (a.kw.has(k) ? a.kw.get(k)! : obj.items[j])) })); }
      if (name === 'index') return m((a, n) => { const i = obj.items.findIndex((x) => it.equals(x, a.pos[0]) === true); if (i < 0) throw new PyError('ValueError', 'not in tuple', n); return i; });
      if (name === 'count') return m((a) => obj.items.filter((x) => it.equals(x, a.pos[0]) === true).length);
      return undefined;
    }
    case 'dict': {
      const d = obj;
      switch (name) {
        case 'get': return m((a) => dictGet(d, a.pos[0]) ?? a.pos[1] ?? null);
        case 'keys': return m(() => list([...d.map.values()].map(([k]) => k)));
        case 'values': return m(() => list([...d.map.values()].map(([, v]) => v)));
        case 'items': return m(() => list([...d.map.values()].map(([k, v]) => tuple([k, v]))));
        case 'pop': return m((a, n) => { const k = keyOf(a.pos[0]); const e = d.map.get(k); if (e) { d.map.delete(k); return e[1]; } if (a.pos.length > 1) return a.pos[1]; throw new PyError('KeyError', repr(a.pos[0], 1), n); });
        case 'popitem': return m((_a, n) => { const last = [...d.map.keys()].pop(); if (last === undefined) throw new PyError('KeyError', 'popitem(): dictionary is empty', n); const e = d.map.get(last)!; d.map.delete(last); return tuple([e[0], e[1]]); });
        case 'update': return m((a, n) => { if (a.pos.length) { const src = a.pos[0]; if (src && typeof src === 'object' && src.kind === 'dict') for (const [k, v] of src.map.values()) dictSet(d, k, v); else for (const kv of it.iterate(src, n)) { const p = it.iterate(kv, n); dictSet(d, p[0], p[1]); } } for (const [k, v] of a.kw) dictSet(d, k, v); return null; });
        case 'setdefault': return m((a) => { const v = dictGet(d, a.pos[0]); if (v !== undefined) return v; dictSet(d, a.pos[0], a.pos[1] ?? null); return a.pos[1] ?? null; });
        case 'copy': return m(() => ({ ...d, map: new Map([...d.map.entries()].map(([k, e]) => [k, [e[0], e[1]]])) }));
        case 'clear': return m(() => { d.map.clear(); return null; });
        case 'move_to_end': return m((a) => { const k = keyOf(a.pos[0]); const e = d.map.get(k); if (e) { d.map.delete(k); d.map.set(k, e); } return null; });
      }
      return undefined;
    }
    case 'set': {
      const s = obj;
      switch (name) {
        case 'add': return m((a) => { s.map.set(keyOf(a.pos[0]), a.pos[0]); return null; });
        case 'update': return m((a, n) => { for (const x of a.pos) for (const v of it.iterate(x, n)) s.map.set(keyOf(v), v); return null; });
        case 'discard': case 'remove': return m((a) => { s.map.delete(keyOf(a.pos[0])); return null; });
        case 'union': return m((a, n) => { const r = { kind: 'set' as const, map: new Map(s.map) }; for (const x of a.pos) for (const v of it.iterate(x, n)) r.map.set(keyOf(v), v); return r; });
        case 'copy': return m(() => ({ kind: 'set', map: new Map(s.map) }));
        case 'issubset': return m((a, n) => { const o = new Set(it.iterate(a.pos[0], n).map(keyOf)); return [...s.map.keys()].every((k) => o.has(k)); });
        case 'issuperset': return m((a, n) => it.iterate(a.pos[0], n).every((v) => s.map.has(keyOf(v))));
        case 'intersection': return m((a, n) => { const o = new Set(it.iterate(a.pos[0], n).map(keyOf)); return { kind: 'set', map: new Map([...s.map].filter(([k]) => o.has(k))) }; });
        case 'difference': return m((a, n) => { const o = new Set(it.iterate(a.pos[0], n).map(keyOf)); return { kind: 'set', map: new Map([...s.map].filter(([k]) => !o.has(k))) }; });
        case 'isdisjoint': return m((a, n) => !it.iterate(a.pos[0], n).some((v) => s.map.has(keyOf(v))));
      }
      return undefined;
    }
    case 'range': {
      if (name === 'start') return obj.start;
      if (name === 'stop') return obj.stop;
      if (name === 'step') return obj.step;
      if (name === 'index') return m((a) => (Number(a.pos[0]) - obj.start) / obj.step);
      void rangeLen;
      return undefined;
    }
    case 'slice': {
      if (name === 'start') return obj.start;
      if (name === 'stop') return obj.stop;
      if (name === 'step') return obj.step;
      return undefined;
    }
    case 'instance': {
      if (obj.cls.isEnum) { if (name === 'value') return obj.attrs.get('value') ?? null; if (name === 'name') return obj.attrs.get('name') ?? null; }
      if (name === 'args' && obj.payload) return obj.payload;
      return undefined;
    }
    case 'iterator': return undefined;
  }
  void sliceItems;
  return undefined;
}

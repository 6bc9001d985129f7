/**
 * The abstract interpreter: evaluates the Python that model code uses over plain values and symbolic
 * tensors. It never runs user code; every evaluation is bounded by a step budget, and whatever it cannot
 * follow becomes a diagnostic (with the source location) instead of an exception.
 */
import type { Diagnostic, SourceLocation } from '../arch/types';
import { BudgetError, PyError } from './errors';
import { field, fieldAll, locOf, nodeText, type PNode } from './parse';
import {
  ELLIPSIS, Scope, UNKNOWN, dictFrom, dictGet, dictSet, isTensor, keyOf, list, objId, opaque, repr, tuple, typeName,
  type Args, type Builtin, type ParamSpec, type PyClass, type PyDict, type PyFunction, type PyInstance, type PyModule, type Value,
  dictPayload,
} from './values';

export type Signal = undefined | { ret: Value } | 'break' | 'continue';

export interface InterpHooks {
  /** Resolves `import NAME` (absolute dotted) relative to a module; undefined when not found. */
  importModule(name: string, level: number, from: PyModule, node: PNode): PyModule | Value | undefined;
  getAttrSpecial(obj: Value, name: string, node: PNode | undefined): Value | undefined;
  setAttrSpecial(obj: Value, name: string, value: Value, node: PNode | undefined): boolean;
  delAttrSpecial(obj: Value, name: string): boolean;
  callSpecial(f: Value, args: Args, node: PNode | undefined): Value | undefined;
  binopSpecial(op: string, a: Value, b: Value, node: PNode): Value | undefined;
  unarySpecial(op: string, a: Value, node: PNode): Value | undefined;
  getItemSpecial(obj: Value, idx: Value, node: PNode): Value | undefined;
  setItemSpecial(obj: Value, idx: Value, value: Value, node: PNode): boolean;
  iterSpecial(obj: Value, node: PNode | undefined): Value[] | undefined;
  lenSpecial(obj: Value): number | undefined;
  instantiateSpecial(cls: PyClass, args: Args, node: PNode | undefined): Value | undefined;
}

const BINOPS: Record<string, string> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'truediv', '//': 'floordiv', '%': 'mod', '**': 'pow', '@': 'matmul',
  '&': 'and_', '|': 'or_', '^': 'xor', '<<': 'lshift', '>>': 'rshift',
};

/** Iterations one `while` loop may run before it counts as endless. */
export const MAX_WHILE_ITERATIONS = 2_000;

export class Interp {
  steps = 0;
  diags: Diagnostic[] = [];
  partial = false;
  private diagKeys = new Set<string>();
  callDepth = 0;
  builtins = new Map<string, Value>();
  hooks!: InterpHooks;
  /** Generator collectors for functions containing `yield`. */
  private yieldStack: Value[][] = [];
  /** Functions whose body never matters for structure (logging, warnings). */
  noopFunctions = new Set<string>(['_log_api_usage_once', 'warn', '_assert']);
  /** Classes: `object`, `int`, ... (set up by builtins.ts). */
  classes: Record<string, PyClass> = {};
  /** Set while `forward` is traced (so graph ops are recorded). */
  currentNode: PNode | undefined;

  constructor(public budget: number) {}

  // ---------------------------------------------------------------- diagnostics

  diag(severity: Diagnostic['severity'], code: string, message: string, node?: PNode | SourceLocation, partial = severity !== 'info'): void {
    const loc = node ? ('file' in node && 'line' in node ? node : locOf(node as PNode)) : undefined;
    const key = `${code}|${message}|${loc ? `${loc.file}:${loc.line}:${loc.column}` : ''}`;
    if (partial) this.partial = true;
    if (this.diagKeys.has(key)) return;
    this.diagKeys.add(key);
    if (this.diags.length < 200) this.diags.push(loc ? { severity, code, message, loc } : { severity, code, message });
  }

  /** Wall-clock backstop next to the step budget (ms since epoch; 0 = none). */
  deadline = 0;

  step(node?: PNode): void {
    if (++this.steps > this.budget) throw new BudgetError(node);
    if ((this.steps & 4095) === 0 && this.deadline && Date.now() > this.deadline) { this.steps = this.budget + 1; throw new BudgetError(node); }
  }

  err(pyType: string, msg: string, node?: PNode): PyError {
    return new PyError(pyType, msg, node);
  }

  // ---------------------------------------------------------------- names

  lookup(name: string, scope: Scope, node: PNode): Value {
    let s: Scope | undefined = scope;
    while (s) {
      if (s.isClass && s !== scope) { s = s.parent; continue; }
      const v = s.vars.get(name);
      if (v !== undefined) return v;
      if (s.module && s === s.module.globals) {
        const lz = this.resolveGlobal(s.module, name, node);
        if (lz !== undefined) return lz;
        break;
      }
      s = s.parent;
    }
    const b = this.builtins.get(name);
    if (b !== undefined) return b;
    throw new PyError('NameError', `name '${name}' is not defined`, node);
  }

  /** Lazily runs the top-level statements of a module that define `name`. */
  resolveGlobal(m: PyModule, name: string, node: PNode | undefined): Value | undefined {
    const have = m.globals.vars.get(name);
    if (have !== undefined) return have;
    if (m.native) {
      const nv = m.native.get(name);
      if (nv !== undefined) return nv;
    }
    const stmts = m.index?.get(name);
    if (stmts) {
      for (const st of stmts) {
        if (m.done!.has(st) || m.running!.has(st)) continue;
        m.running!.add(st);
        try {
          this.execStmtRecover(st, m.globals);
        } finally {
          m.running!.delete(st);
          m.done!.add(st);
        }
      }
      const v = m.globals.vars.get(name);
      if (v !== undefined) return v;
    }
    if (m.starImports) {
      for (const st of m.starImports) {
        const src = this.starSource(m, st);
        if (!src || src === m) continue;
        if (name.startsWith('_')) continue;
        const v = this.moduleAttr(src, name, node);
        if (v !== undefined) {
          m.globals.vars.set(name, v);
          return v;
        }
      }
    }
    if (name === '__name__') return m.name;
    if (name === '__file__') return m.file ?? null;
    return undefined;
  }

  private starCache = new Map<PNode, PyModule | null>();
  private starSource(m: PyModule, st: PNode): PyModule | undefined {
    if (this.starCache.has(st)) return this.starCache.get(st) ?? undefined;
    this.starCache.set(st, null);
    const r = this.importFromModule(st, m);
    const mod = r && typeof r === 'object' && r.kind === 'module' ? r : undefined;
    this.starCache.set(st, mod ?? null);
    return mod;
  }

  /** Attribute of a module object (lazy globals, then submodules). */
  moduleAttr(m: PyModule, name: string, node: PNode | undefined): Value | undefined {
    const v = this.resolveGlobal(m, name, node);
    if (v !== undefined) return v;
    if (m.isPackage && node) {
      const sub = this.hooks.importModule(name, 1, m, node);
      if (sub !== undefined && sub !== null && typeof sub === 'object' && sub.kind === 'module') {
        m.globals.vars.set(name, sub);
        return sub;
      }
    }
    return undefined;
  }

  assignName(name: string, v: Value, scope: Scope): void {
    if (scope.globalNames?.has(name) && scope.module) { scope.module.globals.vars.set(name, v); return; }
    if (scope.nonlocalNames?.has(name)) {
      let s = scope.parent;
      while (s) { if (s.vars.has(name)) { s.vars.set(name, v); return; } s = s.parent; }
    }
    scope.vars.set(name, v);
  }

  // ---------------------------------------------------------------- statements

  execBlock(nodes: PNode[], scope: Scope): Signal {
    for (const st of nodes) {
      if (!st.named) continue;
      const sig = this.execStmtRecover(st, scope);
      if (sig !== undefined) return sig;
    }
    return undefined;
  }

  /** Runs a statement; an interpreter-level failure becomes a diagnostic and execution goes on. */
  execStmtRecover(st: PNode, scope: Scope): Signal {
    try {
      return this.exec(st, scope);
    } catch (e) {
      if (e instanceof PyError && !e.explicit) {
        this.reportError(e, st);
        return undefined;
      }
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        this.diag('error', 'recursion', 'Recursion too deep', st);
        return undefined;
      }
      throw e;
    }
  }

  reportError(e: PyError, st: PNode): void {
    // a recovered error is expensive (it unwinds): charge it, so error loops hit the budget quickly
    this.steps += 2000;
    const where = e.node ?? st;
    const code = e.pyType === 'NameError' ? 'unknown-name' : e.pyType === 'ShapeError' ? 'shape-error' : e.pyType === 'Unsupported' ? 'unsupported' : 'eval-error';
    const msg = e.pyType === 'Unsupported' || e.pyType === 'ShapeError' ? e.message : `${e.pyType}: ${e.message}`;
    this.diag(code === 'unsupported' ? 'warning' : 'error', code, msg, where);
  }

  body(n: PNode): PNode[] {
    return n.type === 'block' ? n.children : [n];
  }

  exec(st: PNode, scope: Scope): Signal {
    this.step(st);
    switch (st.type) {
      case 'expression_statement': {
        for (const c of st.children) if (c.named) this.evalStmtExpr(c, scope);
        return undefined;
      }
      case 'return_statement': {
        const vals = st.children.filter((c) => c.named);
        return { ret: vals.length ? this.ev(vals[0], scope) : null };
      }
      case 'pass_statement': return undefined;
      case 'break_statement': return 'break';
      case 'continue_statement': return 'continue';
      case 'if_statement': return this.execIf(st, scope);
      case 'for_statement': return this.execFor(st, scope);
      case 'while_statement': return this.execWhile(st, scope);
      case 'function_definition': this.defineFunction(st, [], scope); return undefined;
      case 'class_definition': this.defineClass(st, [], scope); return undefined;
      case 'decorated_definition': {
        const decs = st.children.filter((c) => c.type === 'decorator');
        const def = field(st, 'definition')!;
        if (def.type === 'function_definition') this.defineFunction(def, decs, scope);
        else if (def.type === 'class_definition') this.defineClass(def, decs, scope);
        return undefined;
      }
      case 'import_statement': this.execImport(st, scope); return undefined;
      case 'import_from_statement': this.execImportFrom(st, scope); return undefined;
      case 'future_import_statement': return undefined;
      case 'try_statement': return this.execTry(st, scope);
      case 'with_statement': return this.execWith(st, scope);
      case 'raise_statement': {
        const ex = st.children.find((c) => c.named);
        let v: Value = null;
        try { v = ex ? this.ev(ex, scope) : null; } catch (e) { if (!(e instanceof PyError)) throw e; }
        const tname = v && typeof v === 'object' ? (v.kind === 'class' ? v.name : v.kind === 'instance' ? v.cls.name : 'Exception') : 'Exception';
        let msg = '';
        if (v && typeof v === 'object' && v.kind === 'instance' && v.payload && typeof v.payload === 'object' && v.payload.kind === 'tuple') {
          msg = v.payload.items.map((x) => repr(x)).join(', ');
        }
        throw new PyError(tname, msg, st, true, v);
      }
      case 'assert_statement': return undefined;
      case 'delete_statement': {
        for (const t of st.children.filter((c) => c.named)) this.deleteTarget(t, scope);
        return undefined;
      }
      case 'global_statement': {
        scope.globalNames ??= new Set();
        for (const c of st.children) if (c.type === 'identifier') scope.globalNames.add(c.text);
        return undefined;
      }
      case 'nonlocal_statement': {
        scope.nonlocalNames ??= new Set();
        for (const c of st.children) if (c.type === 'identifier') scope.nonlocalNames.add(c.text);
        return undefined;
      }
      case 'print_statement': case 'exec_statement': case 'type_alias_statement': return undefined;
      case 'ERROR': return undefined;
      case 'match_statement':
        throw new PyError('Unsupported', 'match statements are not followed', st);
      default:
        throw new PyError('Unsupported', `unsupported statement '${st.type}'`, st);
    }
  }

  private deleteTarget(t: PNode, scope: Scope): void {
    if (t.type === 'identifier') { scope.vars.delete(t.text); return; }
    if (t.type === 'expression_list' || t.type === 'tuple' || t.type === 'pattern_list') {
      for (const c of t.children) if (c.named) this.deleteTarget(c, scope);
      return;
    }
    if (t.type === 'attribute') {
      const obj = this.ev(field(t, 'object')!, scope);
      const name = field(t, 'attribute')!.text;
      if (this.hooks.delAttrSpecial(obj, name)) return;
      if (obj && typeof obj === 'object' && obj.kind === 'instance') obj.attrs.delete(name);
      return;
    }
    if (t.type === 'subscript') {
      const obj = this.ev(field(t, 'value')!, scope);
      const idx = this.evSubscriptIndex(t, scope);
      if (obj && typeof obj === 'object') {
        if (obj.kind === 'dict') obj.map.delete(keyOf(idx));
        else if (obj.kind === 'list' && typeof idx === 'number') obj.items.splice(idx < 0 ? obj.items.length + idx : idx, 1);
      }
    }
  }

  private evalStmtExpr(c: PNode, scope: Scope): void {
    if (c.type === 'assignment') { this.execAssign(c, scope); return; }
    if (c.type === 'augmented_assignment') { this.execAugAssign(c, scope); return; }
    if (c.type === 'string' || c.type === 'concatenated_string') return; // docstring
    this.ev(c, scope);
  }

  execAssign(n: PNode, scope: Scope): Value {
    const left = field(n, 'left')!;
    const right = field(n, 'right');
    if (!right) {
      // annotation only: `x: int`
      return null;
    }
    const v = right.type === 'assignment' ? this.execAssign(right, scope) : this.ev(right, scope);
    this.assignTarget(left, v, scope);
    return v;
  }

  private execAugAssign(n: PNode, scope: Scope): void {
    const left = field(n, 'left')!;
    const opTok = field(n, 'operator')!.type;
    const op = opTok.slice(0, -1);
    const right = this.ev(field(n, 'right')!, scope);
    const cur = this.ev(left, scope);
    let v: Value;
    const idunder = cur && typeof cur === 'object' && cur.kind === 'instance' ? this.findClassAttr(cur.cls, ({ '+': '__iadd__', '-': '__isub__', '*': '__imul__' } as Record<string, string>)[op] ?? '__none__') : undefined;
    if (cur && typeof cur === 'object' && cur.kind === 'list' && op === '+') {
      cur.items.push(...this.iterate(right, n));
      v = cur;
    } else if (idunder && cur && typeof cur === 'object' && cur.kind === 'instance') {
      v = this.call(this.bindDescriptor(idunder, cur, cur.cls), { pos: [right], kw: new Map() }, n);
    } else {
      v = this.binop(op, cur, right, n, true);
    }
    this.assignTarget(left, v, scope);
  }

  assignTarget(t: PNode, v: Value, scope: Scope): void {
    switch (t.type) {
      case 'identifier': this.assignName(t.text, v, scope); return;
      case 'attribute': {
        const obj = this.ev(field(t, 'object')!, scope);
        this.setAttr(obj, field(t, 'attribute')!.text, v, t);
        return;
      }
      case 'subscript': {
        const obj = this.ev(field(t, 'value')!, scope);
        const idx = this.evSubscriptIndex(t, scope);
        this.setItem(obj, idx, v, t);
        return;
      }
      case 'parenthesized_expression': {
        const inner = t.children.find((c) => c.named);
        if (inner) this.assignTarget(inner, v, scope);
        return;
      }
      case 'pattern_list': case 'tuple_pattern': case 'list_pattern': case 'tuple': case 'list': case 'expression_list': {
        const targets = t.children.filter((c) => c.named);
        const items = this.iterate(v, t);
        const star = targets.findIndex((c) => c.type === 'list_splat_pattern' || c.type === 'list_splat');
        if (star < 0) {
          if (items.length !== targets.length) {
            throw new PyError('ValueError', `cannot unpack ${items.length} values into ${targets.length} targets`, t);
          }
          targets.forEach((c, i) => this.assignTarget(c, items[i], scope));
        } else {
          const after = targets.length - star - 1;
          if (items.length < targets.length - 1) throw new PyError('ValueError', 'not enough values to unpack', t);
          for (let i = 0; i < star; i++) this.assignTarget(targets[i], items[i], scope);
          const inner = targets[star].children.find((c) => c.named)!;
          this.assignTarget(inner, list(items.slice(star, items.length - after)), scope);
          for (let i = 0; i < after; i++) this.assignTarget(targets[star + 1 + i], items[items.length - after + i], scope);
        }
        return;
      }
      case 'list_splat_pattern': {
        const inner = t.children.find((c) => c.named);
        if (inner) this.assignTarget(inner, list(this.iterate(v, t)), scope);
        return;
      }
      default:
        throw new PyError('Unsupported', `cannot assign to '${t.type}'`, t);
    }
  }

  private execIf(st: PNode, scope: Scope): Signal {
    if (this.truthyCond(this.ev(field(st, 'condition')!, scope), field(st, 'condition')!)) {
      return this.execBlock(this.body(field(st, 'consequence')!), scope);
    }
    for (const alt of fieldAll(st, 'alternative')) {
      if (alt.type === 'elif_clause') {
        const c = field(alt, 'condition')!;
        if (this.truthyCond(this.ev(c, scope), c)) return this.execBlock(this.body(field(alt, 'consequence')!), scope);
      } else if (alt.type === 'else_clause') {
        return this.execBlock(this.body(field(alt, 'body')!), scope);
      }
    }
    return undefined;
  }

  private execFor(st: PNode, scope: Scope): Signal {
    const left = field(st, 'left')!;
    const it = this.iterate(this.ev(field(st, 'right')!, scope), field(st, 'right')!);
    const body = this.body(field(st, 'body')!);
    let broke = false;
    for (const v of it) {
      this.step(st);
      this.assignTarget(left, v, scope);
      const sig = this.execBlock(body, scope);
      if (sig === 'break') { broke = true; break; }
      if (sig === 'continue') continue;
      if (sig !== undefined) return sig;
    }
    const alt = field(st, 'alternative');
    if (!broke && alt) return this.execBlock(this.body(field(alt, 'body')!), scope);
    return undefined;
  }

  private execWhile(st: PNode, scope: Scope): Signal {
    const cond = field(st, 'condition')!;
    const body = this.body(field(st, 'body')!);
    // Model code never loops this long; a `while True:` without a reachable break must stop long before
    // the global step budget, which takes seconds to exhaust.
    let iterations = 0;
    while (this.truthyCond(this.ev(cond, scope), cond)) {
      this.step(st);
      if (++iterations > MAX_WHILE_ITERATIONS) throw new BudgetError(st);
      const sig = this.execBlock(body, scope);
      if (sig === 'break') return undefined;
      if (sig === 'continue') continue;
      if (sig !== undefined) return sig;
    }
    const alt = field(st, 'alternative');
    if (alt) return this.execBlock(this.body(field(alt, 'body')!), scope);
    return undefined;
  }

  private execTry(st: PNode, scope: Scope): Signal {
    const body = this.body(field(st, 'body')!);
    const excepts = st.children.filter((c) => c.type === 'except_clause' || c.type === 'except_group_clause');
    const elseC = st.children.find((c) => c.type === 'else_clause');
    const fin = st.children.find((c) => c.type === 'finally_clause');
    let sig: Signal;
    try {
      try {
        sig = this.execBlock(body, scope);
      } catch (e) {
        if (!(e instanceof PyError)) throw e;
        const handler = excepts.find((h) => this.exceptMatches(h, e, scope));
        if (!handler) throw e;
        const val = field(handler, 'value');
        if (val && val.type === 'as_pattern') {
          const alias = field(val, 'alias');
          const target = alias?.children.find((c) => c.named) ?? alias;
          if (target) this.assignTarget(target, e.value ?? opaque(e.pyType), scope);
        }
        const block = handler.children.find((c) => c.type === 'block');
        return block ? this.execBlock(block.children, scope) : undefined;
      }
      if (sig === undefined && elseC) sig = this.execBlock(this.body(field(elseC, 'body')!), scope);
      return sig;
    } finally {
      if (fin) {
        const block = fin.children.find((c) => c.type === 'block');
        if (block) this.execBlock(block.children, scope);
      }
    }
  }

  private exceptMatches(h: PNode, e: PyError, scope: Scope): boolean {
    let val = field(h, 'value');
    if (!val) {
      const named = h.children.filter((c) => c.named && c.type !== 'block');
      if (!named.length) return true;
      val = named[0];
    }
    if (val.type === 'as_pattern') val = val.children.find((c) => c.named)!;
    let types: Value;
    try { types = this.ev(val, scope); } catch { return true; }
    const list_ = types && typeof types === 'object' && types.kind === 'tuple' ? types.items : [types];
    for (const t of list_) {
      if (!t || typeof t !== 'object' || t.kind !== 'class') return true;
      if (t.name === 'Exception' || t.name === 'BaseException') return true;
      if (e.pyType === t.name) return true;
      const cls = this.classes[e.pyType];
      if (cls && cls.mro.includes(t)) return true;
      if (e.value && typeof e.value === 'object' && e.value.kind === 'instance' && e.value.cls.mro.includes(t)) return true;
    }
    return false;
  }

  private execWith(st: PNode, scope: Scope): Signal {
    const clause = st.children.find((c) => c.type === 'with_clause');
    for (const item of clause ? clause.children.filter((c) => c.type === 'with_item') : []) {
      const val = field(item, 'value')!;
      if (val.type === 'as_pattern') {
        const ctx = this.ev(val.children.find((c) => c.named)!, scope);
        const alias = field(val, 'alias');
        const target = alias?.children.find((c) => c.named) ?? alias;
        let entered: Value = ctx;
        if (ctx && typeof ctx === 'object' && ctx.kind === 'instance' && !ctx.mod) {
          const enter = this.findClassAttr(ctx.cls, '__enter__');
          if (enter) entered = this.call(this.bindDescriptor(enter, ctx, ctx.cls), { pos: [], kw: new Map() }, st);
        }
        if (target) this.assignTarget(target, entered, scope);
      } else {
        this.ev(val, scope);
      }
    }
    return this.execBlock(this.body(field(st, 'body')!), scope);
  }

  // ---------------------------------------------------------------- definitions

  parseParams(paramsNode: PNode | undefined, scope: Scope): ParamSpec[] {
    const out: ParamSpec[] = [];
    if (!paramsNode) return out;
    let kwOnly = false;
    for (const p of paramsNode.children) {
      if (!p.named) {
        continue;
      }
      switch (p.type) {
        case 'identifier': out.push({ name: p.text, kind: kwOnly ? 'kwonly' : 'pos', hasDefault: false }); break;
        case 'typed_parameter': {
          const inner = p.children.find((c) => c.named)!;
          if (inner.type === 'list_splat_pattern') { out.push({ name: inner.children.find((c) => c.named)!.text, kind: 'star', hasDefault: false }); kwOnly = true; }
          else if (inner.type === 'dictionary_splat_pattern') out.push({ name: inner.children.find((c) => c.named)!.text, kind: 'dstar', hasDefault: false });
          else out.push({ name: inner.text, kind: kwOnly ? 'kwonly' : 'pos', hasDefault: false });
          break;
        }
        case 'default_parameter': case 'typed_default_parameter': {
          const name = field(p, 'name')!.text;
          let def: Value = null;
          try { def = this.ev(field(p, 'value')!, scope); } catch (e) {
            if (e instanceof BudgetError) throw e;
            def = UNKNOWN;
            if (e instanceof PyError) this.reportError(e, p);
          }
          out.push({ name, kind: kwOnly ? 'kwonly' : 'pos', hasDefault: true, default: def });
          break;
        }
        case 'list_splat_pattern': out.push({ name: p.children.find((c) => c.named)!.text, kind: 'star', hasDefault: false }); kwOnly = true; break;
        case 'dictionary_splat_pattern': out.push({ name: p.children.find((c) => c.named)!.text, kind: 'dstar', hasDefault: false }); break;
        case 'keyword_separator': kwOnly = true; break;
        case 'positional_separator': break;
        default: break;
      }
    }
    return out;
  }

  makeFunction(n: PNode, scope: Scope, isLambda: boolean): PyFunction {
    const name = isLambda ? '<lambda>' : field(n, 'name')!.text;
    const params = this.parseParams(field(n, 'parameters'), scope);
    const f: PyFunction = {
      kind: 'function', name, params, body: field(n, 'body')!, isLambda,
      closure: scope.isClass ? this.nonClassScope(scope) : scope, module: scope.module!, node: n,
    };
    if (!isLambda && containsYield(f.body)) f.isGenerator = true;
    return f;
  }

  private nonClassScope(s: Scope): Scope {
    let c: Scope = s;
    while (c.isClass && c.parent) c = c.parent;
    return c;
  }

  private decoratorName(d: PNode): string {
    let e = d.children.find((c) => c.named)!;
    if (!e) return '';
    if (e.type === 'call') e = field(e, 'function')!;
    return nodeText(e);
  }

  defineFunction(n: PNode, decs: PNode[], scope: Scope): void {
    const f = this.makeFunction(n, scope, false);
    let v: Value = f;
    for (const d of [...decs].reverse()) {
      const dn = this.decoratorName(d);
      const last = dn.split('.').pop()!;
      if (dn === 'staticmethod') v = { kind: 'staticmethod', fn: v };
      else if (dn === 'classmethod') v = { kind: 'classmethod', fn: v };
      else if (dn === 'property' || dn === 'functools.cached_property' || dn === 'cached_property') v = { kind: 'property', fn: v };
      else if (last === 'setter' || last === 'deleter') return; // keep the property getter
      else if (last === 'handle_legacy_interface') f.legacy = true;
      // everything else (register_model, handle_legacy_interface, torch.jit.*, lru_cache...) passes through
    }
    this.assignName(f.name, v, scope);
  }

  defineClass(n: PNode, decs: PNode[], scope: Scope): void {
    const name = field(n, 'name')!.text;
    const bases: PyClass[] = [];
    const sup = field(n, 'superclasses');
    if (sup) {
      for (const b of sup.children) {
        if (!b.named || b.type === 'keyword_argument') continue;
        let bv: Value;
        try { bv = this.ev(b, scope); } catch (e) {
          if (!(e instanceof PyError)) throw e;
          this.reportError(e, b);
          bv = opaque(nodeText(b));
        }
        if (bv && typeof bv === 'object' && bv.kind === 'class') bases.push(bv);
        else if (bv && typeof bv === 'object' && (bv.kind === 'opaque' || bv.kind === 'unknown' || bv.kind === 'torchns')) {
          // An unresolvable base: make a stand-in class so the rest of the class still works.
          bases.push(this.opaqueBase(nodeText(b), b));
        }
      }
    }
    if (!bases.length) bases.push(this.classes.object);
    const cls: PyClass = {
      kind: 'class', name, qualname: name, bases, mro: [], dict: new Map(), defLoc: locOf(n), module: scope.module,
    };
    cls.mro = computeMro(cls);
    for (const b of cls.mro) { if (b.torch && !cls.torch) cls.torch = b.torch === 'layer' ? 'layer' : b.torch; if (b.isEnum) cls.isEnum = true; }
    if (cls.torch === 'layer') cls.layer = cls.mro.find((b) => b.layer)?.layer;
    const cscope = new Scope(scope, scope.module, true);
    cscope.vars.set('__qualname__', name);
    const stmts = this.body(field(n, 'body')!);
    cls.dict = cscope.vars;
    if (cls.isEnum) {
      // Enum bodies (torchvision's weight tables) are evaluated lazily, member by member.
      const lazyStmts: PNode[] = [];
      for (const st of stmts) {
        if (st.type === 'function_definition' || st.type === 'decorated_definition') this.execStmtRecover(st, cscope);
        else lazyStmts.push(st);
      }
      cls.lazy = { stmts: lazyStmts, scope: cscope, done: new Set() };
    } else {
      const sig = this.execBlockInClass(stmts, cscope, cls);
      void sig;
    }
    for (const v of cls.dict.values()) {
      if (v && typeof v === 'object') {
        const fn = v.kind === 'function' ? v : (v.kind === 'staticmethod' || v.kind === 'classmethod' || v.kind === 'property') && v.fn && typeof v.fn === 'object' && v.fn.kind === 'function' ? v.fn : undefined;
        if (fn && !fn.owner) fn.owner = cls;
      }
    }
    for (const d of decs) {
      const dn = this.decoratorName(d);
      if (dn === 'dataclass' || dn === 'dataclasses.dataclass') this.makeDataclass(cls, stmts, cscope);
    }
    this.assignName(name, cls, scope);
  }

  private execBlockInClass(stmts: PNode[], cscope: Scope, _cls: PyClass): Signal {
    return this.execBlock(stmts, cscope);
  }

  private makeDataclass(cls: PyClass, stmts: PNode[], cscope: Scope): void {
    const fields: NonNullable<PyClass['dataclassFields']> = [];
    for (const b of [...cls.mro].reverse()) if (b !== cls && b.dataclassFields) fields.push(...b.dataclassFields);
    for (const st of stmts) {
      if (st.type !== 'expression_statement') continue;
      const a = st.children[0];
      if (!a || a.type !== 'assignment' || !field(a, 'type')) continue;
      const name = field(a, 'left')!.text;
      const right = field(a, 'right');
      const cur = cscope.vars.get(name);
      let f: (typeof fields)[number] = { name, hasDefault: !!right, default: cur === undefined ? null : cur };
      if (right && right.type === 'call' && /(^|\.)field$/.test(nodeText(field(right, 'function')!))) {
        f = { name, hasDefault: false };
        for (const kw of field(right, 'arguments')!.children.filter((c) => c.type === 'keyword_argument')) {
          const k = field(kw, 'name')!.text;
          if (k === 'default') { f.hasDefault = true; f.default = this.ev(field(kw, 'value')!, cscope); }
          if (k === 'default_factory') { f.hasDefault = true; f.factory = this.ev(field(kw, 'value')!, cscope); }
        }
        cscope.vars.delete(name);
      }
      const i = fields.findIndex((x) => x.name === name);
      if (i >= 0) fields[i] = f; else fields.push(f);
    }
    cls.dataclassFields = fields;
    if (!cls.dict.has('__init__')) {
      cls.dict.set('__init__', {
        kind: 'builtin', name: '__init__', method: true,
        call: (a, n) => {
          const inst = a.pos[0];
          if (!inst || typeof inst !== 'object' || inst.kind !== 'instance') return null;
          const pos = a.pos.slice(1);
          fields.forEach((f, i) => {
            let v: Value | undefined = i < pos.length ? pos[i] : a.kw.get(f.name);
            if (v === undefined) v = f.factory ? this.call(f.factory, { pos: [], kw: new Map() }, n) : f.hasDefault ? f.default! : null;
            this.setAttr(inst, f.name, v, n);
          });
          const post = this.findClassAttr(inst.cls, '__post_init__');
          if (post) this.call(this.bindDescriptor(post, inst, inst.cls), { pos: [], kw: new Map() }, n);
          return null;
        },
      });
    }
  }

  opaqueBase(name: string, node: PNode): PyClass {
    const c: PyClass = { kind: 'class', name, qualname: name, bases: [this.classes.object], mro: [], dict: new Map(), defLoc: locOf(node), builtin: 'opaque' };
    c.mro = [c, this.classes.object];
    return c;
  }

  // ---------------------------------------------------------------- imports

  private execImport(st: PNode, scope: Scope): void {
    for (const nm of fieldAll(st, 'name')) {
      if (nm.type === 'aliased_import') {
        const dotted = nodeText(field(nm, 'name')!);
        const alias = field(nm, 'alias')!.text;
        const m = this.hooks.importModule(dotted, 0, scope.module!, nm);
        this.assignName(alias, m ?? this.unresolvedImport(dotted, nm), scope);
      } else {
        const dotted = nodeText(nm);
        const top = dotted.split('.')[0];
        // `import a.b.c` binds `a`; importing the full path makes sure the submodule exists.
        if (dotted !== top) this.hooks.importModule(dotted, 0, scope.module!, nm);
        const m = this.hooks.importModule(top, 0, scope.module!, nm);
        this.assignName(top, m ?? this.unresolvedImport(dotted, nm), scope);
      }
    }
  }

  unresolvedImport(name: string, node: PNode): Value {
    const m = node.file;
    this.diag('warning', 'unresolved-import', `Cannot resolve import '${name}'; its names are opaque`, locOf(node), false);
    void m;
    return opaque(`module ${name}`, name);
  }

  /** The module a `from X import ...` statement names. */
  importFromModule(st: PNode, m: PyModule): Value | undefined {
    const modNode = field(st, 'module_name')!;
    let level = 0;
    let dotted = '';
    if (modNode.type === 'relative_import') {
      const prefix = modNode.children.find((c) => c.type === 'import_prefix');
      level = prefix ? nodeText(prefix).length : 0;
      const dn = modNode.children.find((c) => c.type === 'dotted_name');
      dotted = dn ? nodeText(dn) : '';
    } else {
      dotted = nodeText(modNode);
    }
    const r = this.hooks.importModule(dotted, level, m, st);
    return r ?? this.unresolvedImport('.'.repeat(level) + dotted, st);
  }

  private execImportFrom(st: PNode, scope: Scope): void {
    const src = this.importFromModule(st, scope.module!);
    const names = fieldAll(st, 'name');
    if (st.children.some((c) => c.type === 'wildcard_import')) {
      if (src && typeof src === 'object' && src.kind === 'module' && scope.module && scope !== scope.module.globals) {
        // star import inside a function: copy what is already known
        for (const [k, v] of src.globals.vars) if (!k.startsWith('_')) scope.vars.set(k, v);
      }
      return; // module-level star imports are resolved lazily (see resolveGlobal)
    }
    for (const nm of names) {
      const orig = nm.type === 'aliased_import' ? nodeText(field(nm, 'name')!) : nodeText(nm);
      const alias = nm.type === 'aliased_import' ? field(nm, 'alias')!.text : orig;
      let v: Value | undefined;
      if (src && typeof src === 'object' && src.kind === 'module') {
        v = this.moduleAttr(src, orig, nm);
        if (v === undefined) {
          const sub = this.hooks.importModule(orig, 1, src, nm);
          if (sub && typeof sub === 'object' && sub.kind === 'module') v = sub;
        }
        if (v === undefined) {
          if (src.isUser) this.diag('warning', 'unknown-name', `cannot import name '${orig}' from '${src.name}'`, nm, false);
          v = opaque(`${src.name}.${orig}`, `${src.name}.${orig}`);
        }
      } else if (src !== undefined) {
        v = this.getAttr(src, orig, nm);
      } else {
        v = opaque(orig, orig);
      }
      this.assignName(alias, v, scope);
    }
  }

  // ---------------------------------------------------------------- expressions

  ev(n: PNode, scope: Scope): Value {
    this.step(n);
    switch (n.type) {
      case 'identifier': return this.lookup(n.text, scope, n);
      case 'integer': return parseIntLit(n.text);
      case 'float': return parseFloat(n.text.replace(/_/g, '')) ;
      case 'true': return true;
      case 'false': return false;
      case 'none': return null;
      case 'ellipsis': return ELLIPSIS;
      case 'string': return this.evString(n, scope);
      case 'concatenated_string': return n.children.filter((c) => c.named).map((c) => this.evString(c, scope)).join('');
      case 'parenthesized_expression': {
        const inner = n.children.find((c) => c.named);
        return inner ? this.ev(inner, scope) : tuple([]);
      }
      case 'tuple': case 'expression_list': case 'pattern_list': return tuple(this.evSeqItems(n, scope));
      case 'list': return list(this.evSeqItems(n, scope));
      case 'set': {
        const s = { kind: 'set' as const, map: new Map<string, Value>() };
        for (const v of this.evSeqItems(n, scope)) s.map.set(keyOf(v), v);
        return s;
      }
      case 'dictionary': {
        const d = dictFrom([]);
        for (const c of n.children) {
          if (c.type === 'pair') dictSet(d, this.ev(field(c, 'key')!, scope), this.ev(field(c, 'value')!, scope));
          else if (c.type === 'dictionary_splat') {
            const src = this.ev(c.children.find((x) => x.named)!, scope);
            for (const [k, v] of this.dictItems(src, c)) dictSet(d, k, v);
          }
        }
        return d;
      }
      case 'attribute': {
        const obj = this.ev(field(n, 'object')!, scope);
        return this.getAttr(obj, field(n, 'attribute')!.text, n);
      }
      case 'subscript': {
        const obj = this.ev(field(n, 'value')!, scope);
        return this.getItem(obj, this.evSubscriptIndex(n, scope), n);
      }
      case 'slice': return this.evSlice(n, scope);
      case 'call': return this.evCall(n, scope);
      case 'binary_operator': {
        const a = this.ev(field(n, 'left')!, scope);
        const b = this.ev(field(n, 'right')!, scope);
        return this.binop(field(n, 'operator')!.type, a, b, n);
      }
      case 'unary_operator': {
        const a = this.ev(field(n, 'argument')!, scope);
        return this.unary(field(n, 'operator')!.type, a, n);
      }
      case 'not_operator': {
        const a = this.ev(field(n, 'argument')!, scope);
        const t = this.truthy(a, n);
        return t === undefined ? UNKNOWN : !t;
      }
      case 'boolean_operator': {
        const a = this.ev(field(n, 'left')!, scope);
        const op = field(n, 'operator')!.type;
        const t = this.truthy(a, n);
        if (t === undefined) { this.ev(field(n, 'right')!, scope); return UNKNOWN; }
        if (op === 'and') return t ? this.ev(field(n, 'right')!, scope) : a;
        return t ? a : this.ev(field(n, 'right')!, scope);
      }
      case 'comparison_operator': return this.evCompare(n, scope);
      case 'conditional_expression': {
        const parts = n.children.filter((c) => c.named);
        const cond = this.ev(parts[1], scope);
        return this.truthyCond(cond, parts[1]) ? this.ev(parts[0], scope) : this.ev(parts[2], scope);
      }
      case 'lambda': return this.makeFunction(n, scope, true);
      case 'list_comprehension': return list(this.evComprehension(n, scope));
      case 'set_comprehension': {
        const s = { kind: 'set' as const, map: new Map<string, Value>() };
        for (const v of this.evComprehension(n, scope)) s.map.set(keyOf(v), v);
        return s;
      }
      case 'generator_expression': return { kind: 'iterator', items: this.evComprehension(n, scope), pos: 0 };
      case 'dictionary_comprehension': {
        const d = dictFrom([]);
        for (const v of this.evComprehension(n, scope)) {
          const kv = v as { kind: 'tuple'; items: Value[] };
          dictSet(d, kv.items[0], kv.items[1]);
        }
        return d;
      }
      case 'named_expression': {
        const v = this.ev(field(n, 'value')!, scope);
        this.assignName(field(n, 'name')!.text, v, scope);
        return v;
      }
      case 'await': return this.ev(n.children.find((c) => c.named)!, scope);
      case 'yield': {
        const inner = n.children.find((c) => c.named);
        const col = this.yieldStack[this.yieldStack.length - 1];
        if (!col) throw new PyError('Unsupported', 'yield outside a generator', n);
        const isFrom = n.children.some((c) => c.type === 'from');
        const v = inner ? this.ev(inner, scope) : null;
        if (isFrom) col.push(...this.iterate(v, n)); else col.push(v);
        return null;
      }
      case 'list_splat': case 'dictionary_splat':
        throw new PyError('SyntaxError', 'starred expression in an unexpected place', n);
      case 'type': {
        const inner = n.children.find((c) => c.named);
        return inner ? this.ev(inner, scope) : null;
      }
      case 'keyword_argument':
        throw new PyError('SyntaxError', 'keyword argument in an unexpected place', n);
      case 'ERROR':
        throw new PyError('SyntaxError', 'cannot evaluate code with syntax errors', n);
      default:
        throw new PyError('Unsupported', `unsupported expression '${n.type}'`, n);
    }
  }

  private evSeqItems(n: PNode, scope: Scope): Value[] {
    const out: Value[] = [];
    for (const c of n.children) {
      if (!c.named) continue;
      if (c.type === 'list_splat' || c.type === 'list_splat_pattern') out.push(...this.iterate(this.ev(c.children.find((x) => x.named)!, scope), c));
      else out.push(this.ev(c, scope));
    }
    return out;
  }

  evSubscriptIndex(n: PNode, scope: Scope): Value {
    const subs = fieldAll(n, 'subscript');
    if (subs.length === 1) return this.ev(subs[0], scope);
    return tuple(subs.map((s) => this.ev(s, scope)));
  }

  private evSlice(n: PNode, scope: Scope): Value {
    const parts: (PNode | undefined)[] = [undefined, undefined, undefined];
    let i = 0;
    for (const c of n.children) {
      if (!c.named && c.type === ':') { i++; continue; }
      if (c.named) parts[i] = c;
    }
    const g = (p: PNode | undefined): Value => (p ? this.ev(p, scope) : null);
    return { kind: 'slice', start: g(parts[0]), stop: g(parts[1]), step: g(parts[2]) };
  }

  private evString(n: PNode, scope: Scope): string {
    if (n.type === 'concatenated_string') return n.children.filter((c) => c.named).map((c) => this.evString(c, scope)).join('');
    const start = n.children.find((c) => c.type === 'string_start');
    const prefix = (start?.text ?? '').toLowerCase();
    const isF = prefix.includes('f');
    const isRaw = prefix.includes('r');
    let out = '';
    for (const c of n.children) {
      if (c.type === 'string_content') {
        const t = nodeText(c);
        out += isRaw ? t : unescape(isF ? t.replace(/\{\{/g, '{').replace(/\}\}/g, '}') : t);
      } else if (c.type === 'escape_sequence') {
        out += isRaw ? c.text : unescape(c.text);
      } else if (c.type === 'interpolation') {
        const e = field(c, 'expression') ?? c.children.find((x) => x.named)!;
        const v = this.ev(e, scope);
        const conv = field(c, 'type_conversion');
        const spec = field(c, 'format_specifier');
        let specText = spec ? nodeText(spec).replace(/^:/, '') : '';
        if (spec && spec.children.some((x) => x.type === 'interpolation')) {
          specText = '';
          for (const sc of spec.children) {
            if (sc.type === 'interpolation') specText += this.str(this.ev(field(sc, 'expression') ?? sc.children.find((x) => x.named)!, scope));
            else if (sc.named || sc.type !== ':') specText += nodeText(sc);
          }
          specText = specText.replace(/^:/, '');
        }
        if (conv && conv.text === '!r') out += formatValue(repr(v, 1), specText);
        else out += specText ? formatValue(v, specText) : this.str(v);
      }
    }
    return out;
  }

  str(v: Value): string {
    if (typeof v === 'number') return pyNumStr(v);
    if (v && typeof v === 'object' && v.kind === 'instance') {
      const s = this.findClassAttr(v.cls, '__str__') ?? this.findClassAttr(v.cls, '__repr__');
      if (s && typeof s === 'object' && s.kind === 'function') {
        const r = this.call(this.bindDescriptor(s, v, v.cls), { pos: [], kw: new Map() }, undefined);
        if (typeof r === 'string') return r;
      }
      if (v.cls.isEnum) {
        const nm = v.attrs.get('_name_');
        if (typeof nm === 'string') return `${v.cls.name}.${nm}`;
      }
    }
    return repr(v);
  }

  private evCompare(n: PNode, scope: Scope): Value {
    const operands = n.children.filter((c) => c.named);
    const ops = fieldAll(n, 'operators').map((o) => (o.children.length ? o.children.map((c) => c.type).join(' ') : o.type));
    let left = this.ev(operands[0], scope);
    let result: Value = true;
    for (let i = 0; i < ops.length; i++) {
      const right = this.ev(operands[i + 1], scope);
      const r = this.compare(ops[i], left, right, n);
      if (r === false) return false;
      if (r !== true) result = r;
      left = right;
    }
    return result;
  }

  compare(op: string, a: Value, b: Value, n: PNode): Value {
    switch (op) {
      case 'is': return isSame(a, b);
      case 'is not': return !isSame(a, b);
      case 'in': return this.contains(b, a, n);
      case 'not in': { const r = this.contains(b, a, n); return typeof r === 'boolean' ? !r : r; }
      case '==': case '!=': {
        if (isTensor(a) || isTensor(b)) return this.hooks.binopSpecial(op === '==' ? 'eq' : 'ne', a, b, n) ?? UNKNOWN;
        const eq = this.equals(a, b);
        if (eq === undefined) return UNKNOWN;
        return op === '==' ? eq : !eq;
      }
      case '<': case '<=': case '>': case '>=': case '<>': {
        if (isTensor(a) || isTensor(b)) return this.hooks.binopSpecial(({ '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' } as Record<string, string>)[op] ?? 'ne', a, b, n) ?? UNKNOWN;
        const c = this.cmp(a, b, n);
        if (c === undefined) return UNKNOWN;
        return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      }
    }
    throw new PyError('Unsupported', `comparison '${op}'`, n);
  }

  equals(a: Value, b: Value): boolean | undefined {
    if (a === b) return true;
    if (isUnknown(a) || isUnknown(b)) return undefined;
    if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean')) return Number(a) === Number(b);
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
    if ((a.kind === 'tuple' && b.kind === 'tuple') || (a.kind === 'list' && b.kind === 'list')) {
      if (a.items.length !== b.items.length) return false;
      for (let i = 0; i < a.items.length; i++) { const e = this.equals(a.items[i], b.items[i]); if (e !== true) return e; }
      return true;
    }
    if (a.kind === 'dict' && b.kind === 'dict') {
      if (a.map.size !== b.map.size) return false;
      for (const [k, [, v]] of a.map) { const o = b.map.get(k); if (!o) return false; const e = this.equals(v, o[1]); if (e !== true) return e; }
      return true;
    }
    if (a.kind === 'opaque' && b.kind === 'opaque') return a.qualname !== undefined && a.qualname === b.qualname;
    if (a.kind === 'torchns' && b.kind === 'torchns') return a.path === b.path;
    if (a.kind === 'instance' && b.kind === 'instance' && a.cls.isEnum && b.cls.isEnum) return false;
    return false;
  }

  cmp(a: Value, b: Value, n: PNode): number | undefined {
    if (isUnknown(a) || isUnknown(b)) return undefined;
    if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean')) return Number(a) - Number(b);
    if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    if (a && b && typeof a === 'object' && typeof b === 'object' && (a.kind === 'tuple' || a.kind === 'list') && (b.kind === 'tuple' || b.kind === 'list')) {
      for (let i = 0; i < Math.min(a.items.length, b.items.length); i++) {
        const c = this.cmp(a.items[i], b.items[i], n);
        if (c === undefined || c !== 0) return c;
      }
      return a.items.length - b.items.length;
    }
    throw new PyError('TypeError', `'<' not supported between ${typeName(a)} and ${typeName(b)}`, n);
  }

  contains(container: Value, item: Value, n: PNode): Value {
    if (container === null || typeof container !== 'object') {
      if (typeof container === 'string' && typeof item === 'string') return container.includes(item);
      throw new PyError('TypeError', `argument of type '${typeName(container)}' is not iterable`, n);
    }
    switch (container.kind) {
      case 'dict': return container.map.has(keyOf(item));
      case 'set': return container.map.has(keyOf(item));
      case 'unknown': return UNKNOWN;
      case 'instance':
        { const pd = dictPayload(container); if (pd) return pd.map.has(keyOf(item)); }
        if (container.mod) {
          if (container.mod.children.has(String(item))) return true;
        }
        break;
    }
    const items = this.iterate(container, n);
    let unknown = false;
    for (const x of items) { const e = this.equals(x, item); if (e === true) return true; if (e === undefined) unknown = true; }
    return unknown ? UNKNOWN : false;
  }

  private evComprehension(n: PNode, scope: Scope): Value[] {
    const bodyNode = field(n, 'body')!;
    const clauses = n.children.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
    const inner = new Scope(scope, scope.module);
    const out: Value[] = [];
    const run = (ci: number): void => {
      if (ci === clauses.length) {
        if (bodyNode.type === 'pair') out.push(tuple([this.ev(field(bodyNode, 'key')!, inner), this.ev(field(bodyNode, 'value')!, inner)]));
        else out.push(this.ev(bodyNode, inner));
        return;
      }
      const c = clauses[ci];
      if (c.type === 'if_clause') {
        const cond = c.children.find((x) => x.named)!;
        if (this.truthyCond(this.ev(cond, inner), cond)) run(ci + 1);
        return;
      }
      const left = field(c, 'left')!;
      const rights = fieldAll(c, 'right');
      // the first iterable is evaluated in the enclosing scope (it sees class-body names)
      const at = ci === 0 ? scope : inner;
      const src = rights.length > 1 ? tuple(rights.map((r) => this.ev(r, at))) : this.ev(rights[0], at);
      for (const v of this.iterate(src, c)) {
        this.step(c);
        this.assignTarget(left, v, inner);
        run(ci + 1);
      }
    };
    run(0);
    return out;
  }

  // ---------------------------------------------------------------- calls

  evArgs(argList: PNode | undefined, scope: Scope): Args {
    const args: Args = { pos: [], kw: new Map() };
    if (!argList) return args;
    if (argList.type === 'generator_expression') { args.pos.push(this.ev(argList, scope)); return args; }
    for (const c of argList.children) {
      if (!c.named) continue;
      if (c.type === 'keyword_argument') args.kw.set(field(c, 'name')!.text, this.ev(field(c, 'value')!, scope));
      else if (c.type === 'list_splat') args.pos.push(...this.iterate(this.ev(c.children.find((x) => x.named)!, scope), c));
      else if (c.type === 'dictionary_splat') {
        for (const [k, v] of this.dictItems(this.ev(c.children.find((x) => x.named)!, scope), c)) args.kw.set(String(k), v);
      } else args.pos.push(this.ev(c, scope));
    }
    return args;
  }

  private evCall(n: PNode, scope: Scope): Value {
    const fnNode = field(n, 'function')!;
    // super() without arguments needs the enclosing class and self
    if (fnNode.type === 'identifier' && fnNode.text === 'super') {
      const args = this.evArgs(field(n, 'arguments'), scope);
      return this.makeSuper(args, scope, n);
    }
    const f = this.ev(fnNode, scope);
    const args = this.evArgs(field(n, 'arguments'), scope);
    const prev = this.currentNode;
    this.currentNode = n;
    try {
      return this.call(f, args, n);
    } finally {
      this.currentNode = prev;
    }
  }

  private makeSuper(args: Args, scope: Scope, n: PNode): Value {
    if (args.pos.length >= 2) {
      const cls = args.pos[0];
      if (cls && typeof cls === 'object' && cls.kind === 'class') return { kind: 'super', cls, self: args.pos[1] };
    }
    // zero-arg form: find the function's owner class and its first argument
    let s: Scope | undefined = scope;
    while (s) {
      const owner = s.vars.get('__class_owner__');
      if (owner && typeof owner === 'object' && owner.kind === 'class') {
        const self = s.vars.get('__self_arg__');
        return { kind: 'super', cls: owner, self: self ?? null };
      }
      s = s.parent;
    }
    throw new PyError('RuntimeError', 'super(): no arguments', n);
  }

  call(f: Value, args: Args, node: PNode | undefined): Value {
    if (f === null || typeof f !== 'object') throw new PyError('TypeError', `'${typeName(f)}' object is not callable`, node);
    switch (f.kind) {
      case 'function': return this.callFunction(f, args, node);
      case 'bound': return this.call(f.fn, { pos: [f.self, ...args.pos], kw: args.kw }, node);
      case 'builtin': return f.call(args, node);
      case 'partial': {
        const kw = new Map(f.kw);
        for (const [k, v] of args.kw) kw.set(k, v);
        return this.call(f.fn, { pos: [...f.args, ...args.pos], kw }, node);
      }
      case 'class': return this.instantiate(f, args, node);
      case 'staticmethod': case 'classmethod': return this.call(f.fn, args, node);
    }
    const r = this.hooks.callSpecial(f, args, node);
    if (r !== undefined) return r;
    if (f.kind === 'instance') {
      const c = this.findClassAttr(f.cls, '__call__');
      if (c) return this.call(this.bindDescriptor(c, f, f.cls), args, node);
    }
    if (f.kind === 'opaque' || f.kind === 'unknown') return opaque(`${f.kind === 'opaque' ? f.repr : '<unknown>'}(...)`);
    throw new PyError('TypeError', `'${typeName(f)}' object is not callable`, node);
  }

  callFunction(f: PyFunction, args: Args, node: PNode | undefined): Value {
    if (this.noopFunctions.has(f.name) && f.module && !f.module.isUser) return null;
    if (this.callDepth > 100) throw new PyError('RecursionError', 'maximum recursion depth exceeded', node);
    const scope = new Scope(f.closure, f.module);
    if (f.legacy && (args.kw.has('pretrained') || args.kw.has('pretrained_backbone'))) {
      const kw = new Map(args.kw);
      for (const k of ['pretrained', 'pretrained_backbone']) {
        if (kw.get(k) === true) this.diag('info', 'pretrained', `${f.name}(${k}=True): the architecture is built; pretrained weights are not loaded`, node, false);
        kw.delete(k);
      }
      args = { pos: args.pos, kw };
    }
    this.bindParams(f, args, scope, node);
    if (f.owner) {
      scope.vars.set('__class_owner__', f.owner);
      const first = f.params[0];
      if (first && first.kind === 'pos') scope.vars.set('__self_arg__', scope.vars.get(first.name) ?? null);
    }
    this.callDepth++;
    try {
      if (f.isLambda) return this.ev(f.body, scope);
      if (f.isGenerator) {
        const col: Value[] = [];
        this.yieldStack.push(col);
        try { this.execBlock(this.body(f.body), scope); } finally { this.yieldStack.pop(); }
        return { kind: 'iterator', items: col, pos: 0 };
      }
      const sig = this.execBlock(this.body(f.body), scope);
      return sig && typeof sig === 'object' ? sig.ret : null;
    } finally {
      this.callDepth--;
    }
  }

  bindParams(f: PyFunction, args: Args, scope: Scope, node: PNode | undefined): void {
    const pos = args.pos;
    let i = 0;
    const kw = new Map(args.kw);
    let dstar: string | undefined;
    for (const p of f.params) {
      if (p.kind === 'pos') {
        if (i < pos.length) {
          if (kw.has(p.name)) throw new PyError('TypeError', `${f.name}() got multiple values for argument '${p.name}'`, node);
          scope.vars.set(p.name, pos[i++]);
        } else if (kw.has(p.name)) { scope.vars.set(p.name, kw.get(p.name)!); kw.delete(p.name); }
        else if (p.hasDefault) scope.vars.set(p.name, p.default!);
        else throw new PyError('TypeError', `${f.name}() missing required argument '${p.name}'`, node);
      } else if (p.kind === 'star') {
        scope.vars.set(p.name, tuple(pos.slice(i)));
        i = pos.length;
      } else if (p.kind === 'kwonly') {
        if (kw.has(p.name)) { scope.vars.set(p.name, kw.get(p.name)!); kw.delete(p.name); }
        else if (p.hasDefault) scope.vars.set(p.name, p.default!);
        else throw new PyError('TypeError', `${f.name}() missing required keyword argument '${p.name}'`, node);
      } else {
        dstar = p.name;
      }
    }
    if (i < pos.length) throw new PyError('TypeError', `${f.name}() takes ${i} positional arguments but ${pos.length} were given`, node);
    if (dstar) scope.vars.set(dstar, dictFrom([...kw.entries()]));
    else if (kw.size) throw new PyError('TypeError', `${f.name}() got an unexpected keyword argument '${[...kw.keys()][0]}'`, node);
  }

  instantiate(cls: PyClass, args: Args, node: PNode | undefined): Value {
    const special = this.hooks.instantiateSpecial(cls, args, node);
    if (special !== undefined) return special;
    const ctor = this.findClassAttr(cls, '__new__');
    void ctor;
    const inst: PyInstance = { kind: 'instance', cls, attrs: new Map() };
    if (this.classes.dict && cls.mro.includes(this.classes.dict)) inst.payload = dictFrom([]);
    this.initInstance(inst, cls, args, node);
    return inst;
  }

  initInstance(inst: PyInstance, cls: PyClass, args: Args, node: PNode | undefined): void {
    const init = this.findClassAttr(cls, '__init__');
    if (init) { this.call(this.bindDescriptor(init, inst, cls), args, node); return; }
    if (cls.dataclassFields) {
      const fields = cls.dataclassFields;
      fields.forEach((f, i) => {
        let v: Value | undefined = i < args.pos.length ? args.pos[i] : args.kw.get(f.name);
        if (v === undefined) v = f.factory ? this.call(f.factory, { pos: [], kw: new Map() }, node) : f.hasDefault ? f.default! : null;
        inst.attrs.set(f.name, v);
      });
      const post = this.findClassAttr(cls, '__post_init__');
      if (post) this.call(this.bindDescriptor(post, inst, cls), { pos: [], kw: new Map() }, node);
    }
  }

  // ---------------------------------------------------------------- attributes

  findClassAttr(cls: PyClass, name: string): Value | undefined {
    for (const c of cls.mro) {
      let v = c.dict.get(name);
      if (v === undefined && c.lazy) v = this.lazyClassAttr(c, name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  private lazyClassAttr(c: PyClass, name: string): Value | undefined {
    const lz = c.lazy!;
    for (const st of lz.stmts) {
      if (lz.done.has(st)) continue;
      const a = st.type === 'expression_statement' ? st.children[0] : undefined;
      if (!a || a.type !== 'assignment') continue;
      const left = field(a, 'left')!;
      if (left.type !== 'identifier' || left.text !== name) continue;
      lz.done.add(st);
      this.execStmtRecover(st, lz.scope);
      const v = lz.scope.vars.get(name);
      if (v !== undefined && c.isEnum && !name.startsWith('_')) {
        // an Enum member: an instance of the class carrying its value
        const member: PyInstance = { kind: 'instance', cls: c, attrs: new Map([['value', v], ['name', name], ['_name_', name], ['_value_', v]]) };
        lz.scope.vars.set(name, member);
        return member;
      }
      return v;
    }
    return undefined;
  }

  bindDescriptor(v: Value, self: Value, cls: PyClass): Value {
    if (v && typeof v === 'object') {
      if (v.kind === 'function') return { kind: 'bound', self, fn: v };
      if (v.kind === 'builtin' && v.method) return { kind: 'bound', self, fn: v };
      if (v.kind === 'staticmethod') return v.fn;
      if (v.kind === 'classmethod') return { kind: 'bound', self: cls, fn: v.fn };
      if (v.kind === 'property') return this.call(v.fn, { pos: [self], kw: new Map() }, undefined);
    }
    return v;
  }

  getAttr(obj: Value, name: string, node: PNode | undefined): Value {
    const sp = this.hooks.getAttrSpecial(obj, name, node);
    if (sp !== undefined) return sp;
    if (obj !== null && typeof obj === 'object') {
      switch (obj.kind) {
        case 'module': {
          const v = this.moduleAttr(obj, name, node);
          if (v !== undefined) return v;
          if (!obj.isUser) return opaque(`${obj.name}.${name}`, `${obj.name}.${name}`);
          throw new PyError('AttributeError', `module '${obj.name}' has no attribute '${name}'`, node);
        }
        case 'instance': {
          const cv = this.findClassAttr(obj.cls, name);
          if (cv && typeof cv === 'object' && cv.kind === 'property') return this.bindDescriptor(cv, obj, obj.cls);
          const iv = obj.attrs.get(name);
          if (iv !== undefined) return iv;
          if (cv !== undefined) return this.bindDescriptor(cv, obj, obj.cls);
          if (name === '__class__') return obj.cls;
          const pd = dictPayload(obj);
          if (pd && obj.attrs.get('__dict_is_self__') === true) { const v = dictGet(pd, name); if (v !== undefined) return v; }
          if (pd) { const m = this.builtinMethod(pd, name, node); if (m !== undefined) return m; }
          if (name === '__dict__') return dictFrom([...obj.attrs.entries()]);
          const ga = this.findClassAttr(obj.cls, '__getattr__');
          if (ga && typeof ga === 'object' && ga.kind === 'function') return this.call(this.bindDescriptor(ga, obj, obj.cls), { pos: [name], kw: new Map() }, node);
          if (obj.cls.mro.some((c) => c.builtin === 'opaque')) return opaque(`${obj.cls.name}.${name}`);
          throw new PyError('AttributeError', `'${obj.cls.name}' object has no attribute '${name}'`, node);
        }
        case 'class': {
          if (name === '__name__') return obj.name;
          if (name === '__qualname__') return obj.qualname;
          if (name === '__module__') return obj.module?.name ?? 'builtins';
          if (name === '__mro__') return tuple(obj.mro);
          if (name === '__bases__') return tuple(obj.bases);
          const cv = this.findClassAttr(obj, name);
          if (cv !== undefined) {
            if (cv && typeof cv === 'object' && cv.kind === 'classmethod') return { kind: 'bound', self: obj, fn: cv.fn };
            if (cv && typeof cv === 'object' && cv.kind === 'staticmethod') return cv.fn;
            return cv;
          }
          if (obj.builtin === 'opaque') return opaque(`${obj.name}.${name}`);
          throw new PyError('AttributeError', `type object '${obj.name}' has no attribute '${name}'`, node);
        }
        case 'super': {
          const cls = obj.self && typeof obj.self === 'object' && (obj.self.kind === 'instance') ? obj.self.cls : obj.self && typeof obj.self === 'object' && obj.self.kind === 'class' ? obj.self : obj.cls;
          const mro = cls.mro;
          const start = mro.indexOf(obj.cls);
          for (let i = start + 1; i < mro.length; i++) {
            let v = mro[i].dict.get(name);
            if (v === undefined && mro[i].lazy) v = this.lazyClassAttr(mro[i], name);
            if (v !== undefined) return this.bindDescriptor(v, obj.self, cls);
          }
          if (name === '__init__') return { kind: 'builtin', name: '__init__', call: () => null };
          throw new PyError('AttributeError', `'super' object has no attribute '${name}'`, node);
        }
        case 'function': {
          if (name === '__name__') return obj.name;
          if (name === '__qualname__') return obj.name;
          if (name === '__module__') return obj.module?.name ?? '';
          if (name === '__doc__') return null;
          return opaque(`${obj.name}.${name}`);
        }
        case 'opaque': return opaque(`${obj.repr}.${name}`, obj.qualname ? `${obj.qualname}.${name}` : undefined);
        case 'unknown': return UNKNOWN;
        case 'partial': {
          if (name === 'func') return obj.fn;
          if (name === 'args') return tuple(obj.args);
          if (name === 'keywords') return dictFrom([...obj.kw.entries()]);
          break;
        }
      }
    }
    const m = this.builtinMethod(obj, name, node);
    if (m !== undefined) return m;
    throw new PyError('AttributeError', `'${typeName(obj)}' object has no attribute '${name}'`, node);
  }

  /** Methods of builtin types (list.append...), provided by builtins.ts. */
  builtinMethod: (obj: Value, name: string, node: PNode | undefined) => Value | undefined = () => undefined;

  setAttr(obj: Value, name: string, v: Value, node: PNode | undefined): void {
    if (this.hooks.setAttrSpecial(obj, name, v, node)) return;
    if (obj && typeof obj === 'object') {
      if (obj.kind === 'instance') {
        const cv = this.findClassAttr(obj.cls, name);
        if (cv && typeof cv === 'object' && cv.kind === 'property') return; // setter ignored
        if (name === '__dict__' && v === obj && obj.payload) { obj.attrs.set('__dict_is_self__', true); return; }
        const pd = obj.attrs.get('__dict_is_self__') === true ? dictPayload(obj) : undefined;
        if (pd) { dictSet(pd, name, v); return; }
        obj.attrs.set(name, v); return;
      }
      if (obj.kind === 'class') { obj.dict.set(name, v); return; }
      if (obj.kind === 'module') { obj.globals.vars.set(name, v); return; }
      if (obj.kind === 'function' || obj.kind === 'opaque' || obj.kind === 'unknown') return;
    }
    throw new PyError('AttributeError', `cannot set attribute '${name}' on '${typeName(obj)}'`, node);
  }

  // ---------------------------------------------------------------- items, iteration, truth

  getItem(obj: Value, idx: Value, node: PNode): Value {
    const sp = this.hooks.getItemSpecial(obj, idx, node);
    if (sp !== undefined) return sp;
    if (typeof obj === 'string') {
      if (typeof idx === 'number') { const i = idx < 0 ? obj.length + idx : idx; if (i < 0 || i >= obj.length) throw new PyError('IndexError', 'string index out of range', node); return obj[i]; }
      if (idx && typeof idx === 'object' && idx.kind === 'slice') return sliceItems([...obj], idx, node, this).join('');
    }
    if (obj && typeof obj === 'object') {
      switch (obj.kind) {
        case 'list': case 'tuple': {
          if (typeof idx === 'number' || typeof idx === 'boolean') {
            const n = Number(idx);
            const i = n < 0 ? obj.items.length + n : n;
            if (i < 0 || i >= obj.items.length) throw new PyError('IndexError', `${obj.kind} index out of range`, node);
            return obj.items[i];
          }
          if (idx && typeof idx === 'object' && idx.kind === 'slice') {
            const items = sliceItems(obj.items, idx, node, this);
            return obj.kind === 'list' ? list(items) : tuple(items);
          }
          if (isUnknown(idx)) return UNKNOWN;
          break;
        }
        case 'range': {
          if (typeof idx === 'number') { const len = rangeLen(obj); const i = idx < 0 ? len + idx : idx; return obj.start + i * obj.step; }
          break;
        }
        case 'dict': {
          const v = dictGet(obj, idx);
          if (v !== undefined) return v;
          if (obj.defaultFactory !== undefined && obj.defaultFactory !== null) {
            const nv = this.call(obj.defaultFactory, { pos: [], kw: new Map() }, node);
            dictSet(obj, idx, nv);
            return nv;
          }
          throw new PyError('KeyError', repr(idx, 1), node);
        }
        case 'instance': {
          const pd = dictPayload(obj);
          if (pd && !this.findClassAttr(obj.cls, '__getitem__')) return this.getItem(pd, idx, node);
          const gi = this.findClassAttr(obj.cls, '__getitem__');
          if (gi) return this.call(this.bindDescriptor(gi, obj, obj.cls), { pos: [idx], kw: new Map() }, node);
          break;
        }
        case 'class': {
          // typing generics: List[int], Optional[X]
          return obj;
        }
        case 'opaque': return opaque(`${obj.repr}[...]`);
        case 'unknown': return UNKNOWN;
      }
    }
    throw new PyError('TypeError', `'${typeName(obj)}' object is not subscriptable`, node);
  }

  setItem(obj: Value, idx: Value, v: Value, node: PNode): void {
    if (this.hooks.setItemSpecial(obj, idx, v, node)) return;
    if (obj && typeof obj === 'object') {
      if (obj.kind === 'list') {
        if (typeof idx === 'number') {
          const i = idx < 0 ? obj.items.length + idx : idx;
          if (i < 0 || i >= obj.items.length) throw new PyError('IndexError', 'list assignment index out of range', node);
          obj.items[i] = v; return;
        }
        if (idx && typeof idx === 'object' && idx.kind === 'slice') {
          const len = obj.items.length;
          const [s, e] = sliceBounds(idx, len, this, node);
          obj.items.splice(s, Math.max(0, e - s), ...this.iterate(v, node));
          return;
        }
      }
      if (obj.kind === 'dict') { dictSet(obj, idx, v); return; }
      if (obj.kind === 'instance') {
        const pd = dictPayload(obj);
        if (pd && !this.findClassAttr(obj.cls, '__setitem__')) { dictSet(pd, idx, v); return; }
      }
      if (obj.kind === 'instance') {
        const si = this.findClassAttr(obj.cls, '__setitem__');
        if (si) { this.call(this.bindDescriptor(si, obj, obj.cls), { pos: [idx, v], kw: new Map() }, node); return; }
      }
      if (obj.kind === 'opaque' || obj.kind === 'unknown') return;
    }
    throw new PyError('TypeError', `'${typeName(obj)}' object does not support item assignment`, node);
  }

  iterate(v: Value, node: PNode | undefined): Value[] {
    if (typeof v === 'string') return [...v];
    if (v && typeof v === 'object') {
      switch (v.kind) {
        case 'list': case 'tuple': return [...v.items];
        case 'set': return [...v.map.values()];
        case 'dict': return [...v.map.values()].map(([k]) => k);
        case 'range': {
          const n = rangeLen(v);
          if (n > 1e6) throw new BudgetError(node);
          const out: Value[] = [];
          for (let i = 0; i < n; i++) out.push(v.start + i * v.step);
          return out;
        }
        case 'iterator': { const r = v.items.slice(v.pos); v.pos = v.items.length; return r; }
      }
      const sp = this.hooks.iterSpecial(v, node);
      if (sp) return sp;
      if (v.kind === 'instance') {
        const pd = dictPayload(v);
        if (pd && !this.findClassAttr(v.cls, '__iter__')) return this.iterate(pd, node);
      }
      if (v.kind === 'instance') {
        const it = this.findClassAttr(v.cls, '__iter__');
        if (it) return this.iterate(this.call(this.bindDescriptor(it, v, v.cls), { pos: [], kw: new Map() }, node), node);
        if (v.cls.isEnum) return [];
      }
      if (v.kind === 'class' && v.isEnum) {
        const out: Value[] = [];
        for (const st of v.lazy?.stmts ?? []) {
          const a = st.children[0];
          if (a?.type === 'assignment' && field(a, 'left')!.type === 'identifier') {
            const m = this.findClassAttr(v, field(a, 'left')!.text);
            if (m !== undefined) out.push(m);
          }
        }
        return out;
      }
    }
    throw new PyError('TypeError', `'${typeName(v)}' object is not iterable`, node);
  }

  dictItems(v: Value, node: PNode): [Value, Value][] {
    if (v && typeof v === 'object' && v.kind === 'dict') return [...v.map.values()].map(([k, x]) => [k, x]);
    if (v && typeof v === 'object' && (v.kind === 'opaque' || v.kind === 'unknown')) return [];
    const pd = v && typeof v === 'object' && v.kind === 'instance' ? dictPayload(v) : undefined;
    if (pd) return this.dictItems(pd, node);
    if (v && typeof v === 'object' && v.kind === 'instance') {
      const keys = this.getAttr(v, 'keys', node);
      return this.iterate(this.call(keys, { pos: [], kw: new Map() }, node), node).map((k) => [k, this.getItem(v, k, node)]);
    }
    throw new PyError('TypeError', `argument after ** must be a mapping, not ${typeName(v)}`, node);
  }

  len(v: Value, node: PNode | undefined): number | undefined {
    if (typeof v === 'string') return v.length;
    if (v && typeof v === 'object') {
      switch (v.kind) {
        case 'list': case 'tuple': return v.items.length;
        case 'dict': case 'set': return v.map.size;
        case 'range': return rangeLen(v);
        case 'unknown': return undefined;
      }
      const sp = this.hooks.lenSpecial(v);
      if (sp !== undefined) return sp;
      if (v.kind === 'instance') {
        const pd = dictPayload(v);
        if (pd && !this.findClassAttr(v.cls, '__len__')) return pd.map.size;
      }
      if (v.kind === 'instance') {
        const l = this.findClassAttr(v.cls, '__len__');
        if (l) { const r = this.call(this.bindDescriptor(l, v, v.cls), { pos: [], kw: new Map() }, node); return typeof r === 'number' ? r : undefined; }
      }
      if (v.kind === 'tensor') return v.shape[0] ?? undefined;
    }
    throw new PyError('TypeError', `object of type '${typeName(v)}' has no len()`, node);
  }

  /** Python truthiness; undefined when unknown. */
  truthy(v: Value, node: PNode | undefined): boolean | undefined {
    if (v === null) return false;
    switch (typeof v) {
      case 'boolean': return v;
      case 'number': return v !== 0;
      case 'string': return v.length > 0;
    }
    switch (v.kind) {
      case 'list': case 'tuple': return v.items.length > 0;
      case 'dict': case 'set': return v.map.size > 0;
      case 'range': return rangeLen(v) > 0;
      case 'unknown': return undefined;
      case 'tensor': return undefined;
      case 'instance': {
        if (v.mod) {
          const l = this.hooks.lenSpecial(v);
          if (l !== undefined && (v.cls.torch === 'Sequential' || v.cls.torch === 'ModuleList' || v.cls.torch === 'ModuleDict')) return l > 0;
          return true;
        }
        const b = this.findClassAttr(v.cls, '__bool__') ?? this.findClassAttr(v.cls, '__len__');
        if (b) { const r = this.call(this.bindDescriptor(b, v, v.cls), { pos: [], kw: new Map() }, node); return this.truthy(r, node); }
        return true;
      }
    }
    return true;
  }

  /** Truthiness for a branch: an unknown condition is reported and taken as False. */
  truthyCond(v: Value, node: PNode): boolean {
    const t = this.truthy(v, node);
    if (t === undefined) {
      this.diag('warning', 'unknown-condition', `Cannot decide '${nodeText(node).slice(0, 60)}' statically; assuming False`, node);
      return false;
    }
    return t;
  }

  // ---------------------------------------------------------------- operators

  binop(op: string, a: Value, b: Value, n: PNode, inplace = false): Value {
    if (isTensor(a) || isTensor(b)) {
      const r = this.hooks.binopSpecial((inplace ? 'i' : '') + BINOPS[op], a, b, n);
      if (r !== undefined) return r;
    }
    if (isUnknown(a) || isUnknown(b)) return UNKNOWN;
    const na = typeof a === 'boolean' ? Number(a) : a;
    const nb = typeof b === 'boolean' ? Number(b) : b;
    if (typeof na === 'number' && typeof nb === 'number') {
      switch (op) {
        case '+': return na + nb;
        case '-': return na - nb;
        case '*': return na * nb;
        case '/': if (nb === 0) throw new PyError('ZeroDivisionError', 'division by zero', n); return na / nb;
        case '//': if (nb === 0) throw new PyError('ZeroDivisionError', 'integer division by zero', n); return Math.floor(na / nb);
        case '%': if (nb === 0) throw new PyError('ZeroDivisionError', 'modulo by zero', n); return na - nb * Math.floor(na / nb);
        case '**': return Math.pow(na, nb);
        case '&': return na & nb;
        case '|': return na | nb;
        case '^': return na ^ nb;
        case '<<': return na << nb;
        case '>>': return na >> nb;
      }
    }
    if (typeof a === 'boolean' && typeof b === 'boolean' && (op === '&' || op === '|' || op === '^')) {
      return op === '&' ? a && b : op === '|' ? a || b : a !== b;
    }
    if (typeof a === 'string') {
      if (op === '+' && typeof b === 'string') return a + b;
      if (op === '*' && typeof nb === 'number') return a.repeat(Math.max(0, nb));
      if (op === '%') return percentFormat(a, b, this);
    }
    if (typeof b === 'string' && op === '*' && typeof na === 'number') return b.repeat(Math.max(0, na));
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      if (op === '+' && a.kind === 'list' && b.kind === 'list') return list([...a.items, ...b.items]);
      if (op === '+' && a.kind === 'tuple' && b.kind === 'tuple') return tuple([...a.items, ...b.items]);
      if (op === '|' && a.kind === 'dict' && b.kind === 'dict') { const d = dictFrom([...a.map.values()]); for (const [k, v] of b.map.values()) dictSet(d, k, v); return d; }
      if ((op === '|' || op === '&' || op === '-') && a.kind === 'set' && b.kind === 'set') {
        const s = { kind: 'set' as const, map: new Map<string, Value>() };
        if (op === '|') { for (const [k, v] of a.map) s.map.set(k, v); for (const [k, v] of b.map) s.map.set(k, v); }
        else if (op === '&') { for (const [k, v] of a.map) if (b.map.has(k)) s.map.set(k, v); }
        else for (const [k, v] of a.map) if (!b.map.has(k)) s.map.set(k, v);
        return s;
      }
      if (a.kind === 'class' && op === '|') return a; // typing unions: int | None
    }
    if (a && typeof a === 'object' && (a.kind === 'list' || a.kind === 'tuple') && typeof nb === 'number' && op === '*') {
      const items: Value[] = [];
      for (let i = 0; i < nb; i++) items.push(...a.items);
      return a.kind === 'list' ? list(items) : tuple(items);
    }
    if (b && typeof b === 'object' && (b.kind === 'list' || b.kind === 'tuple') && typeof na === 'number' && op === '*') {
      const items: Value[] = [];
      for (let i = 0; i < na; i++) items.push(...b.items);
      return b.kind === 'list' ? list(items) : tuple(items);
    }
    if (a && typeof a === 'object' && a.kind === 'instance') {
      const dunder = { '+': '__add__', '-': '__sub__', '*': '__mul__', '/': '__truediv__', '@': '__matmul__' }[op];
      const m = dunder ? this.findClassAttr(a.cls, dunder) : undefined;
      if (m) return this.call(this.bindDescriptor(m, a, a.cls), { pos: [b], kw: new Map() }, n);
    }
    if ((a === null && b && typeof b === 'object' && b.kind === 'class') || (b === null && a && typeof a === 'object' && a.kind === 'class')) return a ?? b; // Optional types
    if ((a && typeof a === 'object' && a.kind === 'opaque') || (b && typeof b === 'object' && b.kind === 'opaque')) return UNKNOWN;
    throw new PyError('TypeError', `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`, n);
  }

  unary(op: string, a: Value, n: PNode): Value {
    if (isTensor(a)) {
      const r = this.hooks.unarySpecial(op, a, n);
      if (r !== undefined) return r;
    }
    if (isUnknown(a)) return UNKNOWN;
    const na = typeof a === 'boolean' ? Number(a) : a;
    if (typeof na === 'number') {
      if (op === '-') return -na;
      if (op === '+') return na;
      if (op === '~') return ~na;
    }
    throw new PyError('TypeError', `bad operand type for unary ${op}: '${typeName(a)}'`, n);
  }
}

// -------------------------------------------------------------------- helpers

export function isUnknown(v: Value): boolean {
  return v !== null && typeof v === 'object' && v.kind === 'unknown';
}

function isSame(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (a.kind === 'torchns' && b.kind === 'torchns') return a.path === b.path;
    if (a.kind === 'opaque' && b.kind === 'opaque') return !!a.qualname && a.qualname === b.qualname;
    if (a.kind === 'ellipsis' && b.kind === 'ellipsis') return true;
  }
  return false;
}

export function rangeLen(r: { start: number; stop: number; step: number }): number {
  if (r.step > 0) return Math.max(0, Math.ceil((r.stop - r.start) / r.step));
  if (r.step < 0) return Math.max(0, Math.ceil((r.start - r.stop) / -r.step));
  return 0;
}

export function sliceBounds(s: { start: Value; stop: Value; step: Value }, len: number, it: Interp, node: PNode | undefined): [number, number, number] {
  const num = (v: Value): number | null => {
    if (v === null) return null;
    if (typeof v === 'number' || typeof v === 'boolean') return Number(v);
    throw new PyError('TypeError', 'slice indices must be integers or None', node);
  };
  void it;
  const step = num(s.step) ?? 1;
  if (step === 0) throw new PyError('ValueError', 'slice step cannot be zero', node);
  let start = num(s.start);
  let stop = num(s.stop);
  if (step > 0) {
    start = start === null ? 0 : start < 0 ? Math.max(0, len + start) : Math.min(start, len);
    stop = stop === null ? len : stop < 0 ? Math.max(0, len + stop) : Math.min(stop, len);
  } else {
    start = start === null ? len - 1 : start < 0 ? Math.max(-1, len + start) : Math.min(start, len - 1);
    stop = stop === null ? -1 : stop < 0 ? Math.max(-1, len + stop) : Math.min(stop, len - 1);
  }
  return [start, stop, step];
}

export function sliceItems<T>(items: T[], s: { start: Value; stop: Value; step: Value }, node: PNode | undefined, it: Interp): T[] {
  const [start, stop, step] = sliceBounds(s, items.length, it, node);
  const out: T[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(items[i]);
  else for (let i = start; i > stop; i += step) out.push(items[i]);
  return out;
}

function parseIntLit(t: string): Value {
  const s = t.replace(/_/g, '').toLowerCase();
  if (s.endsWith('j')) return UNKNOWN;
  if (s.endsWith('l')) return parseInt(s.slice(0, -1), 10);
  if (s.startsWith('0x')) return parseInt(s.slice(2), 16);
  if (s.startsWith('0o')) return parseInt(s.slice(2), 8);
  if (s.startsWith('0b')) return parseInt(s.slice(2), 2);
  return parseInt(s, 10);
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|N\{[^}]*\}|[0-7]{1,3}|.|\n)/g, (_m, e: string) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case '\\': return '\\';
      case "'": return "'";
      case '"': return '"';
      case '\n': return '';
      case 'x': case 'u': return String.fromCharCode(parseInt(e.slice(1), 16));
      case '0': return '\0';
      default: return '\\' + e;
    }
  });
}

export function pyNumStr(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  return String(v);
}

/** A small subset of the format-spec mini-language: fill/align, width, precision, d/f/e/g/x/%. */
export function formatValue(v: Value, spec: string): string {
  const m = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?(,)?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/.exec(spec);
  let s: string;
  if (!m) return typeof v === 'string' ? v : repr(v);
  const [, fill = ' ', align, , , zero, width, comma, prec, type] = m;
  if (typeof v === 'number' || typeof v === 'boolean') {
    const n = Number(v);
    switch (type) {
      case 'f': case 'F': s = n.toFixed(prec ? +prec : 6); break;
      case 'e': case 'E': s = n.toExponential(prec ? +prec : 6).replace(/e([+-])(\d)$/, 'e$10$2'); break;
      case '%': s = (n * 100).toFixed(prec ? +prec : 6) + '%'; break;
      case 'x': s = Math.trunc(n).toString(16); break;
      case 'X': s = Math.trunc(n).toString(16).toUpperCase(); break;
      case 'b': s = Math.trunc(n).toString(2); break;
      case 'o': s = Math.trunc(n).toString(8); break;
      case 'g': case 'G': s = String(Number(n.toPrecision(prec ? +prec : 6))); break;
      case 'd': s = String(Math.trunc(n)); break;
      default: s = prec ? String(Number(n.toPrecision(+prec))) : pyNumStr(n);
    }
    if (comma) s = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  } else {
    s = typeof v === 'string' ? v : repr(v);
    if (prec) s = s.slice(0, +prec);
  }
  const w = width ? +width : 0;
  if (s.length < w) {
    const pad = w - s.length;
    const f = zero && !align ? '0' : fill;
    const al = align ?? (typeof v === 'number' ? '>' : '<');
    if (al === '<') s = s + f.repeat(pad);
    else if (al === '^') s = f.repeat(Math.floor(pad / 2)) + s + f.repeat(Math.ceil(pad / 2));
    else if (zero && !align && s.startsWith('-')) s = '-' + '0'.repeat(pad) + s.slice(1);
    else s = f.repeat(pad) + s;
  }
  return s;
}

function percentFormat(fmt: string, args: Value, it: Interp): string {
  const items = args && typeof args === 'object' && args.kind === 'tuple' ? args.items : [args];
  let i = 0;
  return fmt.replace(/%(\([^)]*\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([diouxXeEfFgGcrs%])/g, (_m, key: string | undefined, flags: string, width: string, prec: string, conv: string) => {
    if (conv === '%') return '%';
    let v: Value;
    if (key && args && typeof args === 'object' && args.kind === 'dict') v = dictGet(args, key.slice(1, -1)) ?? null;
    else v = items[i++];
    const spec = `${flags.includes('-') ? '<' : ''}${flags.includes('0') ? '0' : ''}${width ?? ''}${prec ? '.' + prec : ''}${'diu'.includes(conv) ? 'd' : conv === 's' || conv === 'r' ? '' : conv}`;
    if (conv === 's') return formatValue(it.str(v), spec);
    if (conv === 'r') return formatValue(repr(v, 1), spec);
    return formatValue(v, spec);
  });
}

function containsYield(n: PNode): boolean {
  if (n.type === 'yield') return true;
  if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') return false;
  for (const c of n.children) if (containsYield(c)) return true;
  return false;
}

export function computeMro(cls: PyClass): PyClass[] {
  const seqs = [...cls.bases.map((b) => [...b.mro]), [...cls.bases]];
  const out: PyClass[] = [cls];
  for (let guard = 0; guard < 1000; guard++) {
    const nonEmpty = seqs.filter((s) => s.length);
    if (!nonEmpty.length) return out;
    let cand: PyClass | undefined;
    for (const s of nonEmpty) {
      const c = s[0];
      if (!nonEmpty.some((t) => t.indexOf(c) > 0)) { cand = c; break; }
    }
    if (!cand) {
      // inconsistent hierarchy: fall back to depth-first, duplicates removed
      const seen = new Set<PyClass>(out);
      for (const b of cls.bases) for (const c of b.mro) if (!seen.has(c)) { seen.add(c); out.push(c); }
      return out;
    }
    out.push(cand);
    for (const s of nonEmpty) if (s[0] === cand) s.shift();
  }
  return out;
}

export { list, tuple, opaque, dictFrom, objId };
export type { Builtin, PyDict };

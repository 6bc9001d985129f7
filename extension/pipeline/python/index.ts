/**
 * Python source → ArchGraph. `findModelEntries` lists what a file can build (for the CodeLens);
 * `buildArchGraph` builds one entry and traces its forward.
 */
import * as path from 'path';
import type { ModelEntry } from '../arch/types';
import { BudgetError, PyError } from './errors';
import { Session } from './build';
import { field, fieldAll, initParser, locOf, nodeText, parseFile, type PNode } from './parse';
import type { PyClass, PyFunction, PyModule, Value } from './values';

export { buildArchGraph, DEFAULT_INPUT_SHAPE, DEFAULT_STEP_BUDGET, defaultPythonPaths, type BuildOptions } from './build';

function defOf(st: PNode): PNode | undefined {
  if (st.type === 'decorated_definition') return field(st, 'definition');
  if (st.type === 'class_definition' || st.type === 'function_definition') return st;
  return undefined;
}

/** Every nn.Module subclass and every model factory function of a file. Never throws for user input. */
export async function findModelEntries(source: string, file: string, opts: { readFile?: (p: string) => string | undefined | Promise<string | undefined>; pythonPaths?: string[] } = {}): Promise<ModelEntry[]> {
  await initParser();
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return findEntriesSync(source, file, opts);
  } catch {
    return [];
  } finally {
    Error.stackTraceLimit = stackLimit;
  }
}

function findEntriesSync(source: string, file: string, opts: { readFile?: (p: string) => string | undefined | Promise<string | undefined>; pythonPaths?: string[] }): ModelEntry[] {
  const abs = path.resolve(file);
  const pf = parseFile(abs, source);
  const s = new Session({ source, file: abs, entry: '', readFile: opts.readFile, pythonPaths: opts.pythonPaths, stepBudget: 300_000 });
  const m = s.loadModule(abs, path.dirname(abs), false, true);
  const it = s.it;
  const resolve = (name: string): Value | undefined => {
    try { return it.resolveGlobal(m, name, undefined); } catch {
      return undefined;
    }
  };
  const defs = pf.root.children.map(defOf).filter((d): d is PNode => !!d);
  const classes = new Map<string, PNode>();
  const funcs = new Map<string, PNode>();
  for (const d of defs) (d.type === 'class_definition' ? classes : funcs).set(field(d, 'name')!.text, d);
  const isModuleClass = new Map<string, boolean>();
  const moduleClass = (name: string): boolean => {
    if (isModuleClass.has(name)) return isModuleClass.get(name)!;
    isModuleClass.set(name, false);
    let r = false;
    const v = resolve(name);
    if (v && typeof v === 'object' && v.kind === 'class') r = !!v.torch;
    else if (classes.has(name)) {
      // syntactic fallback: a base that looks like a module
      const sup = field(classes.get(name)!, 'superclasses');
      r = !!sup && sup.children.some((b) => b.named && b.type !== 'keyword_argument' && (/(^|\.)(Module|Sequential|ModuleList|ModuleDict)$/.test(nodeText(b)) || /^nn\.[A-Z]/.test(nodeText(b)) || moduleClass(nodeText(b))));
    }
    isModuleClass.set(name, r);
    return r;
  };
  const returnsModelMemo = new Map<string, boolean>();
  const calleeIsModel = (call: PNode, fnBody: PNode | undefined): boolean => {
    if (call.type !== 'call') return false;
    const fn = field(call, 'function')!;
    const name = fn.type === 'identifier' ? fn.text : fn.type === 'attribute' ? field(fn, 'attribute')!.text : '';
    if (!name) return false;
    if (fn.type === 'identifier') {
      if (classes.has(name) || resolve(name)) {
        if (moduleClass(name)) return true;
      }
      if (funcs.has(name) && returnsModel(name)) return true;
      const v = resolve(name);
      if (v && typeof v === 'object' && v.kind === 'function' && !v.module.isUser) return /^[a-z_0-9]+$/.test(name) && /net|res|vgg|vit|swin|conv|mobile|dense|efficient|regnet|shuffle|squeeze|alex|google|incep|mnas|wide|model/i.test(name);
    } else {
      const full = nodeText(fn);
      if (/^(nn|torch\.nn)\.(Sequential|ModuleList|ModuleDict|[A-Z]\w*)$/.test(full)) return true;
      if (/models\.\w+$/.test(full)) return true;
    }
    void fnBody;
    return false;
  };
  const returnsModel = (fname: string): boolean => {
    if (returnsModelMemo.has(fname)) return returnsModelMemo.get(fname)!;
    returnsModelMemo.set(fname, false);
    const d = funcs.get(fname)!;
    const body = field(d, 'body')!;
    const assigns = new Map<string, PNode[]>();
    const rets: PNode[] = [];
    const walk = (n: PNode): void => {
      if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') return;
      if (n.type === 'return_statement') { const v = n.children.find((c) => c.named); if (v) rets.push(v); }
      if (n.type === 'assignment') {
        const l = field(n, 'left'), r = field(n, 'right');
        if (l?.type === 'identifier' && r) (assigns.get(l.text) ?? assigns.set(l.text, []).get(l.text)!).push(r);
      }
      for (const c of n.children) walk(c);
    };
    walk(body);
    let r = false;
    for (const v of rets) {
      if (calleeIsModel(v, body)) { r = true; break; }
      if (v.type === 'identifier' && (assigns.get(v.text) ?? []).some((a) => calleeIsModel(a, body))) { r = true; break; }
    }
    returnsModelMemo.set(fname, r);
    return r;
  };

  const entries: ModelEntry[] = [];
  for (const d of defs) {
    const name = field(d, 'name')!.text;
    try {
      if (d.type === 'class_definition') {
        if (!moduleClass(name)) continue;
        entries.push({ name, kind: 'class', expr: classExpr(name, pf.root, resolve(name), d), loc: locOf(d) });
      } else {
        const params = fieldAll(d, 'parameters')[0];
        const required = (params?.children ?? []).filter((p) => p.type === 'identifier' || p.type === 'typed_parameter' && !p.children.some((c) => c.type === 'list_splat_pattern' || c.type === 'dictionary_splat_pattern'));
        if (required.length) continue;
        if (!returnsModel(name)) continue;
        entries.push({ name, kind: 'factory', expr: `${name}()`, loc: locOf(d) });
      }
    } catch (e) {
      if (!(e instanceof PyError || e instanceof BudgetError || e instanceof RangeError)) throw e;
    }
  }
  void it;
  return entries;
}

/** The best expression to build a class: `Name()` when its __init__ has defaults, else a call found in the file. */
function classExpr(name: string, root: PNode, cls: Value | undefined, def: PNode): string {
  let needsArgs = false;
  let required: { name: string; kw: boolean }[] = [];
  if (cls && typeof cls === 'object' && cls.kind === 'class') {
    const init = findInit(cls);
    if (init) {
      required = init.params.slice(1).filter((p) => (p.kind === 'pos' || p.kind === 'kwonly') && !p.hasDefault).map((p) => ({ name: p.name, kw: p.kind === 'kwonly' }));
      needsArgs = required.length > 0;
    }
  }
  if (!needsArgs) return `${name}()`;
  let best: string | undefined;
  const visit = (n: PNode): void => {
    if (best || n === def) return;
    if (n.type === 'call') {
      const fn = field(n, 'function');
      if (fn?.type === 'identifier' && fn.text === name) {
        const args = field(n, 'arguments');
        const ids: string[] = [];
        const collect = (x: PNode): void => { if (x.type === 'identifier' && !(x === field(x, 'name'))) ids.push(x.text); for (const c of x.children) if (c.type !== 'keyword_argument') collect(c); else { const v = field(c, 'value'); if (v) collect(v); } };
        if (args) collect(args);
        const topNames = new Set(root.children.map((c) => { const d = defOf(c); return d ? field(d, 'name')!.text : ''; }).filter(Boolean));
        if (ids.every((i) => topNames.has(i) || /^[A-Z_0-9]+$/.test(i) || ['True', 'False', 'None'].includes(i))) best = nodeText(n).replace(/\s+/g, ' ');
      }
    }
    for (const c of n.children) visit(c);
  };
  visit(root);
  if (best) return best;
  // guess typical sizes from the parameter names (a block: `BasicBlock(64, 64)`)
  const guesses = required.map((p) => ({ p, v: guessArg(p.name) }));
  if (guesses.every((g) => g.v !== undefined)) {
    return `${name}(${guesses.map((g) => (g.p.kw ? `${g.p.name}=${g.v}` : g.v)).join(', ')})`;
  }
  return `${name}()`;
}

function guessArg(n: string): string | undefined {
  const s = n.toLowerCase();
  if (/(num_?classes|n_?classes|classes|num_labels|n_out|num_outputs)$/.test(s)) return '10';
  if (/stride/.test(s)) return '1';
  if (/kernel/.test(s)) return '3';
  if (/groups?$/.test(s)) return '1';
  if (/(heads|nhead|num_heads)$/.test(s)) return '8';
  if (/(dropout|drop_rate|drop_prob|^p)$/.test(s)) return '0.0';
  if (/(channel|plane|dim|feature|filter|width|hidden|d_model|embed|^c_?in|^c_?out|^c[12]?$|^ch|chans?$|^n?f$|units|inp$|oup$|^in_?c|^out_?c|^nin$|^nout$)/.test(s)) return '64';
  return undefined;
}

function findInit(cls: PyClass): PyFunction | undefined {
  for (const c of cls.mro) {
    const v = c.dict.get('__init__');
    if (v && typeof v === 'object' && v.kind === 'function') return v;
    if (v) return undefined;
  }
  return undefined;
}

export type { PyModule };

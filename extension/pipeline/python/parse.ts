/**
 * Python parsing with tree-sitter (the grammar shipped in `@vscode/tree-sitter-wasm`), converted once into
 * plain JS nodes so the interpreter never crosses into wasm again. Parsed files are cached by path and
 * content hash; the tree-sitter runtime and the language are loaded once per process.
 */
import { createHash } from 'crypto';
import type { Diagnostic, SourceLocation } from '../arch/types';

/** One syntax node. `children` keeps anonymous tokens (operators, keywords) but drops comments. */
export interface PNode {
  type: string;
  named: boolean;
  /** Source text of leaves (identifiers, numbers, operators, string pieces); '' for inner nodes (use `nodeText`). */
  text: string;
  children: PNode[];
  fields: Record<string, PNode[]> | null;
  sl: number; sc: number; el: number; ec: number;
  si: number; ei: number;
  missing?: boolean;
  file: ParsedFile;
}

export interface ParsedFile {
  path: string;
  source: string;
  root: PNode;
  /** Syntax errors (ERROR and MISSING nodes). */
  syntax: Diagnostic[];
}

let tsModule: any;
let language: any;
let parser: any;
let initPromise: Promise<void> | undefined;

/** Loads the tree-sitter runtime and the Python grammar (once per process). */
export function initParser(): Promise<void> {
  if (!initPromise) {
    initPromise = (async () => {
      tsModule = require('@vscode/tree-sitter-wasm');
      await tsModule.Parser.init();
      language = await tsModule.Language.load(require.resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm'));
      parser = new tsModule.Parser();
      parser.setLanguage(language);
    })();
  }
  return initPromise;
}

const cache = new Map<string, { hash: string; file: ParsedFile }>();

function hashOf(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

/** Parses (or returns the cached parse of) a file. `initParser()` must have completed. */
export function parseFile(path: string, source: string): ParsedFile {
  const hash = hashOf(source);
  const hit = cache.get(path);
  if (hit && hit.hash === hash) return hit.file;
  const file = parseUncached(path, source);
  if (cache.size > 500) cache.clear();
  cache.set(path, { hash, file });
  return file;
}

function parseUncached(path: string, source: string): ParsedFile {
  if (!parser) throw new Error('parser not initialised: await initParser() first');
  const tree = parser.parse(source);
  const file: ParsedFile = { path, source, root: undefined as unknown as PNode, syntax: [] };
  const cursor = tree.walk();
  const visit = (): PNode => {
    const sp = cursor.startPosition, ep = cursor.endPosition;
    const n: PNode = {
      type: cursor.nodeType, named: cursor.nodeIsNamed, text: '', children: [], fields: null,
      sl: sp.row, sc: sp.column, el: ep.row, ec: ep.column, si: cursor.startIndex, ei: cursor.endIndex, file,
    };
    if (cursor.nodeIsMissing) n.missing = true;
    if (cursor.gotoFirstChild()) {
      do {
        const field = cursor.currentFieldName;
        const c = visit();
        if (c.type === 'comment') continue;
        n.children.push(c);
        if (field) {
          if (!n.fields) n.fields = {};
          (n.fields[field] ??= []).push(c);
        }
      } while (cursor.gotoNextSibling());
      cursor.gotoParent();
    } else {
      n.text = source.slice(n.si, n.ei);
    }
    return n;
  };
  file.root = visit();
  cursor.delete?.();
  tree.delete?.();
  collectSyntaxErrors(file.root, file);
  return file;
}

function collectSyntaxErrors(n: PNode, file: ParsedFile): void {
  if (file.syntax.length > 50) return;
  if (n.type === 'ERROR') {
    const snippet = nodeText(n).split('\n')[0].slice(0, 40);
    file.syntax.push({ severity: 'error', code: 'syntax', message: `Syntax error near '${snippet}'`, loc: locOf(n) });
    return;
  }
  if (n.missing) {
    file.syntax.push({ severity: 'error', code: 'syntax', message: `Syntax error: missing '${n.type}'`, loc: locOf(n) });
    return;
  }
  for (const c of n.children) collectSyntaxErrors(c, file);
}

export function nodeText(n: PNode): string {
  return n.children.length === 0 ? n.text : n.file.source.slice(n.si, n.ei);
}

export function locOf(n: PNode): SourceLocation {
  return { file: n.file.path, line: n.sl, column: n.sc, endLine: n.el, endColumn: n.ec };
}

export function field(n: PNode, name: string): PNode | undefined {
  return n.fields?.[name]?.[0];
}

export function fieldAll(n: PNode, name: string): PNode[] {
  return n.fields?.[name] ?? [];
}

export function namedChildren(n: PNode): PNode[] {
  return n.children.filter((c) => c.named);
}

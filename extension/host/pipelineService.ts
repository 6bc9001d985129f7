/**
 * The one GraphService: finds model entries and builds architecture graphs through the pipeline,
 * cached per document version. Imports of other Python files are read from open (possibly unsaved)
 * documents first, then the file system, searched in the file's folder, the workspace folders and
 * `ghnLens.pythonPaths`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { archGraphToJson } from '../pipeline/arch/json';
import type { ArchGraphJson, ModelEntry } from '../pipeline/arch/types';
import { buildArchGraph, defaultPythonPaths, findModelEntries } from '../pipeline/python/index';
import { readConfig } from './config';
import type { GraphService } from './services';

interface DocCache {
  version: number;
  entries?: Promise<ModelEntry[]>;
  graphs: Map<string, Promise<ArchGraphJson>>;
}

const MAX_GRAPHS_PER_DOC = 16;

export class PipelineService implements GraphService, vscode.Disposable {
  private readonly cache = new Map<string, DocCache>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString())),
      // A change in another file can change an import; settings change shapes and search paths.
      vscode.workspace.onDidSaveTextDocument(() => this.clearGraphs()),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('ghnLens')) this.clearGraphs(); }),
    );
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.cache.clear();
  }

  private clearGraphs(): void {
    for (const c of this.cache.values()) c.graphs.clear();
  }

  private entryFor(doc: vscode.TextDocument): DocCache {
    const key = doc.uri.toString();
    let c = this.cache.get(key);
    if (!c || c.version !== doc.version) {
      c = { version: doc.version, graphs: new Map() };
      this.cache.set(key, c);
    }
    return c;
  }

  findEntries(doc: vscode.TextDocument): Promise<ModelEntry[]> {
    const c = this.entryFor(doc);
    if (!c.entries) {
      const started = Date.now();
      const cfg = readConfig(doc.uri);
      const p = findModelEntries(doc.getText(), fileName(doc), { readFile: readSourceFile, pythonPaths: searchPaths(doc, cfg.pythonPaths) }).then((entries: ModelEntry[]) => {
        this.log.debug(`entries of ${vscode.workspace.asRelativePath(doc.uri)}: ${entries.map((e) => e.expr).join(', ') || 'none'} (${Date.now() - started} ms)`);
        return entries;
      });
      p.catch((e: unknown) => this.log.error(`finding models in ${doc.uri.fsPath}: ${errorText(e)}`));
      c.entries = p;
      return p;
    }
    return c.entries;
  }

  buildGraph(doc: vscode.TextDocument, entryExpr: string, inputShape?: number[]): Promise<ArchGraphJson> {
    const cfg = readConfig(doc.uri);
    const shape = inputShape ?? cfg.defaultInputShape;
    const c = this.entryFor(doc);
    const key = `${entryExpr}\u0000${shape.join(',')}`;
    const cached = c.graphs.get(key);
    if (cached) return cached;
    {
      const started = Date.now();
      const file = fileName(doc);
      const g = buildArchGraph({
        source: doc.getText(),
        file,
        entry: entryExpr,
        inputShape: shape,
        readFile: readSourceFile,
        pythonPaths: searchPaths(doc, cfg.pythonPaths),
      }).then((graph): ArchGraphJson => {
        const json = archGraphToJson(graph);
        this.log.info(`graph ${entryExpr} of ${vscode.workspace.asRelativePath(doc.uri)}: ${json.nodes.length} nodes, ${json.totalParams} params, ${json.macs} MACs, ${json.diagnostics.length} diagnostics (${Date.now() - started} ms)`);
        return json;
      });
      g.catch((e: unknown) => this.log.error(`building ${entryExpr} of ${doc.uri.fsPath}: ${errorText(e)}`));
      if (c.graphs.size >= MAX_GRAPHS_PER_DOC) c.graphs.delete(c.graphs.keys().next().value as string);
      c.graphs.set(key, g);
      return g;
    }
  }
}

export function fileName(doc: vscode.TextDocument): string {
  return doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.path || doc.fileName;
}

/**
 * Where imports are looked up: the file's folder, its workspace folder(s), the configured paths (relative
 * to the workspace folder), then the pipeline's defaults (a venv beside the file, Debian's site-packages).
 */
export function searchPaths(doc: vscode.TextDocument, configured: string[]): string[] {
  const out: string[] = [];
  const add = (p: string) => { if (!out.includes(p)) out.push(p); };
  if (doc.uri.scheme === 'file') add(path.dirname(doc.uri.fsPath));
  const wf = vscode.workspace.getWorkspaceFolder(doc.uri);
  const folders = wf ? [wf] : vscode.workspace.workspaceFolders ?? [];
  for (const f of folders) if (f.uri.scheme === 'file') add(f.uri.fsPath);
  const base = wf?.uri.fsPath ?? folders[0]?.uri.fsPath;
  for (const p of configured) add(path.isAbsolute(p) || !base ? p : path.join(base, p));
  if (doc.uri.scheme === 'file') for (const p of defaultPythonPaths(doc.uri.fsPath)) add(p);
  return out;
}

/**
 * Reads an imported Python file (the interpreter reads synchronously): an open, possibly unsaved,
 * document first, else the local file system.
 */
export function readSourceFile(file: string): string | undefined {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
  if (open) return open.getText();
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

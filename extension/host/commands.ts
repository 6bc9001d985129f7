/**
 * The command table (rust-analyzer style): each command is a factory over the shared context.
 * Commands take `(uri?, entryExpr?)` from CodeLens and menus, and fall back to the active editor and
 * the model under the cursor when run from the palette.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { archGraphFromJson } from '../pipeline/arch/json';
import { archGraphToDot } from '../pipeline/arch/exportDot';
import { archGraphToGraphml } from '../pipeline/arch/exportGraphml';
import type { ArchGraphJson, ModelEntry } from '../pipeline/arch/types';
import { reportMarkdown } from '../pipeline/metrics/report';
import type { ParamStats } from '../protocol/panel';
import { checkpointPath } from './checkpoint';
import { readConfig } from './config';
import { pythonSnippet, safetensorsName } from './format';
import type { GhnWorkerClient } from './ghnWorkerClient';
import type { MetricsService } from './metricsService';
import { errorText, fileName, searchPaths } from './pipelineService';
import type { GraphService } from './services';

export interface ArchitecturePanelLike {
  reveal(doc: vscode.TextDocument, entryExpr?: string): Promise<void>;
  openInEditor(): Promise<void>;
  /** Predicted-parameter statistics for the inspector. */
  showParamStats?(stats: Record<string, ParamStats>): void;
}

export interface CommandContext {
  extension: vscode.ExtensionContext;
  graphs: GraphService;
  panel: ArchitecturePanelLike;
  ghn: GhnWorkerClient;
  metrics: MetricsService;
  reports: ReportDocuments;
  log: vscode.LogOutputChannel;
}

/** Read-only Markdown documents (`ghn-lens-report:` URIs) for reports: closing one never asks to save. */
export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'ghn-lens-report';
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(ReportDocuments.scheme, this);

  show(name: string, markdown: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: ReportDocuments.scheme, path: `/${name}` });
    this.docs.set(uri.toString(), markdown);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}

type Command = (ctx: CommandContext) => (...args: unknown[]) => unknown;

const EXPORT_FORMATS: { label: string; ext: string; write(g: ArchGraphJson): string }[] = [
  { label: 'JSON (GHN Lens ArchGraph)', ext: 'graph.json', write: (g) => JSON.stringify(g, null, 1) },
  { label: 'DOT (Graphviz)', ext: 'dot', write: (g) => archGraphToDot(archGraphFromJson(g)) },
  { label: 'GraphML (yEd, Gephi, networkx)', ext: 'graphml', write: (g) => archGraphToGraphml(archGraphFromJson(g)) },
];

export const commands: Record<string, Command> = {
  'ghnLens.showArchitecture': (ctx) => async (uri?: unknown, expr?: unknown) => {
    const doc = await targetDocument(uri);
    if (!doc) return;
    await ctx.panel.reveal(doc, typeof expr === 'string' ? expr : undefined);
  },
  'ghnLens.openPanelInEditor': (ctx) => () => ctx.panel.openInEditor(),
  'ghnLens.predictParameters': (ctx) => async (uri?: unknown, expr?: unknown) => {
    const doc = await targetDocument(uri);
    if (!doc) return;
    const entry = typeof expr === 'string' ? expr : (await pickEntry(ctx, doc, 'Predict the parameters of which model?'))?.expr;
    if (!entry) return;
    await predict(ctx, doc, entry);
  },
  'ghnLens.showQualityMetrics': (ctx) => async (uri?: unknown) => {
    const doc = await targetDocument(uri);
    if (!doc) return;
    const md = await qualityReport(ctx, doc);
    await vscode.commands.executeCommand('markdown.showPreview', ctx.reports.show(`${path.basename(doc.fileName, '.py')}-quality-metrics.md`, md));
  },
  'ghnLens.exportGraph': (ctx) => async (uri?: unknown, expr?: unknown) => {
    const doc = await targetDocument(uri);
    if (!doc) return;
    const entry = typeof expr === 'string' ? expr : (await pickEntry(ctx, doc, 'Export the graph of which model?'))?.expr;
    if (!entry) return;
    const g = await ctx.graphs.buildGraph(doc, entry);
    const fmt = await vscode.window.showQuickPick(EXPORT_FORMATS.map((f) => ({ label: f.label, description: `.${f.ext}`, f })), { title: `Export the graph of ${entry} as` });
    if (!fmt) return;
    const stem = safetensorsName(path.basename(doc.uri.path), entry).replace(/\.safetensors$/, '');
    const base = doc.uri.with({ path: doc.uri.path.replace(/[^/]*$/, `${stem}.${fmt.f.ext}`) });
    const target = await vscode.window.showSaveDialog({ defaultUri: base, filters: { [fmt.f.label]: [fmt.f.ext.replace(/^.*\./, '')] } });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(fmt.f.write(g)));
    void vscode.window.showInformationMessage(`GHN Lens: exported ${g.nodes.length} nodes to ${vscode.workspace.asRelativePath(target)}`);
  },
  'ghnLens.selectCheckpoint': () => async () => {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false, openLabel: 'Use this GHN', title: 'GHN Lens: select a GHN-2 checkpoint',
      filters: { 'GHN checkpoint (safetensors)': ['safetensors'] },
    });
    if (!picked?.[0]) return;
    await vscode.workspace.getConfiguration('ghnLens').update('ghnCheckpoint', picked[0].fsPath, vscode.ConfigurationTarget.Global);
    void vscode.window.showInformationMessage(`GHN Lens: using the checkpoint ${picked[0].fsPath}`);
  },
};

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return Object.entries(commands).map(([id, make]) => {
    const fn = make(ctx);
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        if (e instanceof vscode.CancellationError) return;
        ctx.log.error(`${id}: ${errorText(e)}`);
        void vscode.window.showErrorMessage(`GHN Lens: ${errorText(e)}`, 'Show Log').then((a) => { if (a) ctx.log.show(); });
      }
    });
  });
}

async function targetDocument(uri: unknown): Promise<vscode.TextDocument | undefined> {
  if (uri instanceof vscode.Uri) return vscode.workspace.openTextDocument(uri);
  const doc = vscode.window.activeTextEditor?.document;
  if (doc?.languageId === 'python') return doc;
  void vscode.window.showInformationMessage('GHN Lens: open a Python file with a PyTorch model first.');
  return undefined;
}

/** The entry under the cursor; else the only one; else ask. */
async function pickEntry(ctx: CommandContext, doc: vscode.TextDocument, title: string): Promise<ModelEntry | undefined> {
  const entries = await ctx.graphs.findEntries(doc);
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(`GHN Lens: no nn.Module class or model factory found in ${path.basename(doc.fileName)}.`);
    return undefined;
  }
  const editor = vscode.window.activeTextEditor;
  if (editor?.document === doc) {
    const line = editor.selection.active.line;
    const above = entries.filter((e) => e.loc.line <= line && line <= e.loc.endLine);
    if (above.length) return above[above.length - 1];
  }
  if (entries.length === 1) return entries[0];
  const pick = await vscode.window.showQuickPick(entries.map((e) => ({ label: e.expr, description: e.kind, entry: e })), { title, placeHolder: 'model' });
  return pick?.entry;
}

async function predict(ctx: CommandContext, doc: vscode.TextDocument, entry: string): Promise<void> {
  const cfg = readConfig(doc.uri);
  const wf = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath;
  const checkpoint = checkpointPath(ctx.extension.extensionPath, cfg.ghnCheckpoint, wf);
  if (!checkpoint) throw new Error('no GHN checkpoint: none is bundled with this build; run "GHN Lens: Select GHN Checkpoint".');
  if (!fs.existsSync(checkpoint)) throw new Error(`the GHN checkpoint ${checkpoint} does not exist (setting ghnLens.ghnCheckpoint).`);
  if (doc.uri.scheme !== 'file') throw new Error('save the file first: predicted weights are written next to it.');
  const file = fileName(doc);
  const outName = safetensorsName(path.basename(file), entry);
  const output = path.join(path.dirname(file), outName);
  ctx.log.info(`predicting ${entry} of ${file} with ${checkpoint}`);
  const r = await ctx.ghn.predict({
    checkpoint, source: doc.getText(), file, entry, inputShape: cfg.defaultInputShape,
    pythonPaths: searchPaths(doc, cfg.pythonPaths), output,
  }, `GHN Lens: predicting the parameters of ${entry}`);
  ctx.log.info(`wrote ${output}: ${r.predicted} predicted, ${r.notPredicted.length} not predicted, ${r.bytes} bytes, GHN graph ${r.ghnGraph.nodes} nodes, ${r.ms} ms`);
  for (const w of r.warnings) ctx.log.warn(`${entry}: ${w}`);
  ctx.panel.showParamStats?.(r.stats);
  const snippet = pythonSnippet(path.basename(file, '.py'), entry, outName);
  const params = r.predicted + r.notPredicted.length;
  const buffers = r.totalTensors - params;
  const missing = r.notPredicted.length ? `; ${r.notPredicted.length} outside GHN-2's primitives kept at PyTorch's initialisation` : '';
  const action = await vscode.window.showInformationMessage(
    `GHN Lens: predicted ${r.predicted} of ${params} parameter tensors of ${entry}${missing}${buffers ? ` (+${buffers} buffers at their defaults)` : ''} in ${(r.ms / 1000).toFixed(1)} s → ${outName}`,
    'Copy Python Snippet', 'Reveal File',
  );
  if (action === 'Copy Python Snippet') {
    await vscode.env.clipboard.writeText(snippet);
    ctx.log.info(`snippet:\n${snippet}`);
  } else if (action === 'Reveal File') {
    await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(output));
  }
}

async function qualityReport(ctx: CommandContext, doc: vscode.TextDocument): Promise<string> {
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `GHN Lens: quality metrics of ${path.basename(doc.fileName)}`, cancellable: true },
    (_p, token) => ctx.metrics.report(doc, token),
  );
  return reportMarkdown({ ...report, file: vscode.workspace.asRelativePath(doc.uri) });
}

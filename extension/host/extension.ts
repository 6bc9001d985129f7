/**
 * GHN Lens's entry point: wires the Output channel, the graph service, the command table, the CodeLens
 * provider, the Architecture panel, the GHN worker and a status bar item. All analysis lives in the pipeline.
 */
import * as vscode from 'vscode';
import { ModelCodeLensProvider, ModelHoverProvider } from './codeLens';
import { type ArchitecturePanelLike, registerCommands, ReportDocuments } from './commands';
import { formatCount } from '../pipeline/metrics/static';
import { GhnWorkerClient } from './ghnWorkerClient';
import { MetricsService } from './metricsService';
import { registerArchitecturePanel } from './panel';
import { PipelineService } from './pipelineService';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('GHN Lens', { log: true });
  const graphs = new PipelineService(log);
  const ghn = new GhnWorkerClient(vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath, log);
  const panel = openPanel(context, graphs, log);
  const metrics = new MetricsService(graphs, ghn, context.extensionPath);
  const lenses = new ModelCodeLensProvider(graphs, metrics);
  const reports = new ReportDocuments();
  const status = vscode.window.createStatusBarItem('ghnLens.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'GHN Lens';
  status.command = 'ghnLens.showArchitecture';
  context.subscriptions.push(
    log, graphs, ghn, lenses, status, reports,
    vscode.languages.registerCodeLensProvider({ language: 'python' }, lenses),
    vscode.languages.registerHoverProvider({ language: 'python' }, new ModelHoverProvider(graphs, metrics)),
    ...registerCommands({ extension: context, graphs, panel, ghn, metrics, reports, log }),
  );

  const updateStatus = async () => {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== 'python') { status.hide(); return; }
    try {
      const entries = await graphs.findEntries(doc);
      if (vscode.window.activeTextEditor?.document !== doc) return;
      if (!entries.length) { status.hide(); return; }
      // The figures of the model under the cursor, if any.
      const line = vscode.window.activeTextEditor.selection.active.line;
      const here = entries.filter((e) => e.loc.line <= line && line <= e.loc.endLine).pop();
      const g = here ? await graphs.buildGraph(doc, here.expr).catch(() => undefined) : undefined;
      status.text = `$(type-hierarchy) ${entries.length} model${entries.length > 1 ? 's' : ''}` + (here && g ? ` · ${here.name} ${formatCount(g.totalParams)}` : '');
      status.tooltip = `GHN Lens: ${entries.map((e) => e.expr).join(', ')}\nClick to show the architecture.`;
      status.show();
    } catch {
      status.hide();
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const updateSoon = () => { if (timer) clearTimeout(timer); timer = setTimeout(() => void updateStatus(), 500); };
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(updateSoon),
    vscode.window.onDidChangeTextEditorSelection((e) => { if (e.textEditor === vscode.window.activeTextEditor) updateSoon(); }),
    vscode.workspace.onDidChangeTextDocument((e) => { if (e.document === vscode.window.activeTextEditor?.document) updateSoon(); }),
    { dispose: () => { if (timer) clearTimeout(timer); } },
  );
  updateSoon();
  log.info(`GHN Lens ${context.extension.packageJSON.version as string} activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'in Restricted Mode'})`);
}

/** The Architecture panel; if it cannot be created, the rest of GHN Lens still works and says why. */
function openPanel(context: vscode.ExtensionContext, graphs: PipelineService, log: vscode.LogOutputChannel): ArchitecturePanelLike {
  try {
    return registerArchitecturePanel(context, graphs, log);
  } catch (e) {
    const why = `the Architecture panel could not start: ${e instanceof Error ? e.message : String(e)}`;
    log.error(why);
    const fail = async () => { void vscode.window.showErrorMessage(`GHN Lens: ${why}`); };
    return { reveal: fail, openInEditor: fail };
  }
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}

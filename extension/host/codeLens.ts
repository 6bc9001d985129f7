/**
 * CodeLens over every model class and factory function: "Show architecture", "Predict parameters",
 * and the static figures of its graph ("11.2M params · 0.56 GMACs"), resolved lazily.
 */
import * as vscode from 'vscode';
import type { ModelEntry } from '../pipeline/arch/types';
import { codeLensTitle, hoverMarkdown } from '../pipeline/metrics/report';
import { readConfig } from './config';
import type { MetricsService } from './metricsService';
import { errorText } from './pipelineService';
import type { GraphService } from './services';

const REFRESH_DEBOUNCE_MS = 400;

class FiguresLens extends vscode.CodeLens {
  constructor(range: vscode.Range, readonly doc: vscode.TextDocument, readonly entry: ModelEntry) {
    super(range);
  }
}

export function lensTitles(): { show: string; predict: string } {
  return { show: '$(type-hierarchy) Show architecture', predict: '$(sparkle) Predict parameters' };
}

export class ModelCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly graphs: GraphService, private readonly metrics: MetricsService) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.document.languageId === 'python') this.refreshSoon(); }),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('ghnLens')) this.changed.fire(); }),
    );
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.disposables.forEach((d) => d.dispose());
  }

  refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.changed.fire(), REFRESH_DEBOUNCE_MS);
  }

  async provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!readConfig(doc.uri).codeLensEnabled) return [];
    let entries: ModelEntry[];
    try {
      entries = await this.graphs.findEntries(doc);
    } catch {
      return [];
    }
    if (token.isCancellationRequested) return [];
    const t = lensTitles();
    const lenses: vscode.CodeLens[] = [];
    for (const e of entries) {
      const range = new vscode.Range(e.loc.line, e.loc.column, e.loc.line, e.loc.column);
      const args = [doc.uri, e.expr];
      lenses.push(
        new vscode.CodeLens(range, { title: t.show, command: 'ghnLens.showArchitecture', arguments: args, tooltip: `Show the architecture graph of ${e.expr}` }),
        new vscode.CodeLens(range, { title: t.predict, command: 'ghnLens.predictParameters', arguments: args, tooltip: `Predict every parameter of ${e.expr} with the GHN and save them as safetensors` }),
        new FiguresLens(range, doc, e),
      );
    }
    return lenses;
  }

  async resolveCodeLens(lens: vscode.CodeLens): Promise<vscode.CodeLens> {
    if (!(lens instanceof FiguresLens)) return lens;
    try {
      const g = await this.graphs.buildGraph(lens.doc, lens.entry.expr);
      const firstError = g.diagnostics.find((d) => d.severity === 'error');
      if (g.nodes.length === 0 && firstError) {
        // Nothing could be built (e.g. a block class whose constructor needs arguments): say why.
        lens.command = { title: `$(info) ${truncate(firstError.message, 70)}`, command: 'ghnLens.showArchitecture', arguments: [lens.doc.uri, lens.entry.expr], tooltip: g.diagnostics.map((d) => d.message).join('\n') };
        return lens;
      }
      const m = this.metrics.staticOf(g);
      // Predicted metrics (accuracy...) only when trained metric heads are bundled; they never block the figures for long.
      const predicted = await this.metrics.predicted(lens.doc, lens.entry.expr)?.catch(() => undefined);
      const warnings = g.diagnostics.filter((d) => d.severity !== 'info').length;
      lens.command = {
        title: codeLensTitle(m, predicted) + (warnings ? ` · $(warning) ${warnings}` : ''),
        command: 'ghnLens.showQualityMetrics',
        arguments: [lens.doc.uri],
        tooltip: `${g.totalParams.toLocaleString('en-US')} parameters (${g.trainableParams.toLocaleString('en-US')} trainable), ` +
          `${g.macs.toLocaleString('en-US')} MACs for input [${g.inputShape.join(', ')}]` +
          (g.partial ? '\nThe graph is incomplete: figures are lower bounds.' : '') +
          (warnings ? `\n${warnings} diagnostic(s): ${g.diagnostics.slice(0, 3).map((d) => d.message).join('; ')}` : ''),
      };
    } catch (e) {
      lens.command = { title: '$(warning) could not build the graph', command: 'ghnLens.showArchitecture', arguments: [lens.doc.uri, lens.entry.expr], tooltip: errorText(e) };
    }
    return lens;
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** A hover on a model's class/def line: static figures and predicted metrics (or why not). */
export class ModelHoverProvider implements vscode.HoverProvider {
  constructor(private readonly graphs: GraphService, private readonly metrics: MetricsService) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!readConfig(doc.uri).codeLensEnabled) return undefined;
    const entries = await this.graphs.findEntries(doc).catch(() => []);
    const e = entries.find((x) => x.loc.line === pos.line);
    if (!e) return undefined;
    const word = doc.getWordRangeAtPosition(pos);
    if (!word || doc.getText(word) !== e.name) return undefined;
    try {
      const g = await this.graphs.buildGraph(doc, e.expr);
      if (g.nodes.length === 0) return undefined;
      const predicted = await this.metrics.predicted(doc, e.expr)?.catch(() => undefined);
      const md = new vscode.MarkdownString(hoverMarkdown(e.expr, this.metrics.staticOf(g), predicted));
      return new vscode.Hover(md, word);
    } catch {
      return undefined;
    }
  }
}

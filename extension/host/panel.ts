/**
 * The Architecture panel's host side: a webview view (`ghnLens.architecture`) and, on request, the same
 * view as an editor tab. It follows the active Python editor and the model under the cursor, rebuilds on
 * edits (debounced), highlights the nodes made by the cursor line, reveals source locations the webview
 * asks for, and saves exports. All graph work is the GraphService's; all drawing is the webview's.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { archGraphToDot } from '../pipeline/arch/exportDot';
import { archGraphToGraphml } from '../pipeline/arch/exportGraphml';
import { archGraphFromJson } from '../pipeline/arch/json';
import type { ArchGraphJson, ModelEntry, SourceLocation } from '../pipeline/arch/types';
import { isWebviewMessage, type ExportFormat, type HostMessage, type PanelEntry, type ParamStats, type WebviewMessage } from '../protocol/panel';
import { entryAtLine, nodesAtLine } from './panelLogic';
import type { GraphService } from './services';

export const ARCHITECTURE_VIEW_ID = 'ghnLens.architecture';
const EDITOR_PANEL_TYPE = 'ghnLens.architectureEditor';
const EDIT_DEBOUNCE_MS = 400;
const CURSOR_DEBOUNCE_MS = 80;

export interface ArchitecturePanel extends vscode.Disposable {
  /** Show the panel with a document's model (`entryExpr`, else the one under the cursor). */
  reveal(doc: vscode.TextDocument, entryExpr?: string): Promise<void>;
  /** Open the same view in an editor tab. */
  openInEditor(): Promise<void>;
  /** Predicted-parameter statistics for the inspector, keyed by `state_dict` name. */
  showParamStats(stats: Record<string, ParamStats>): void;
}

interface Logger { info(m: string): void; warn(m: string): void; error(m: string): void }

export function registerArchitecturePanel(context: vscode.ExtensionContext, graphs: GraphService, log?: Logger): ArchitecturePanel {
  const panel = new ArchitecturePanelHost(context, graphs, log ?? console);
  context.subscriptions.push(
    panel,
    vscode.window.registerWebviewViewProvider(ARCHITECTURE_VIEW_ID, panel, { webviewOptions: { retainContextWhenHidden: true } }),
  );
  return panel;
}

interface Shown {
  doc: vscode.TextDocument;
  entries: ModelEntry[];
  entry?: string;
  graph?: ArchGraphJson;
  /** The user picked this entry (CodeLens, selector): cursor moves outside it do not switch models. */
  pinned: boolean;
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

function isModelDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'python' && (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled' || doc.uri.scheme === 'vscode-remote');
}

function docFile(doc: vscode.TextDocument): string {
  return doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.path || doc.fileName;
}

class ArchitecturePanelHost implements ArchitecturePanel, vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private editorPanel: vscode.WebviewPanel | undefined;
  private readonly surfaces = new Set<vscode.Webview>();
  private readonly ready = new WeakSet<vscode.Webview>();
  private shown: Shown | undefined;
  /** The last state message (graph, empty or error), replayed to a webview that (re)loads. */
  private lastState: HostMessage | undefined;
  private lastHighlight: HostMessage | undefined;
  private stats: Record<string, ParamStats> | undefined;
  private seq = 0;
  private editTimer: ReturnType<typeof setTimeout> | undefined;
  private cursorTimer: ReturnType<typeof setTimeout> | undefined;
  /** A document we opened ourselves to reveal a location: its activation must not switch the model shown. */
  private revealTarget: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext, private readonly graphs: GraphService, private readonly log: Logger) {
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((ed) => this.onActiveEditor(ed)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)),
    );
  }

  dispose(): void {
    clearTimeout(this.editTimer);
    clearTimeout(this.cursorTimer);
    this.editorPanel?.dispose();
    this.disposables.forEach((d) => d.dispose());
  }

  // ---- surfaces ---------------------------------------------------------------------------------

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.attach(view.webview);
    view.onDidDispose(() => { this.surfaces.delete(view.webview); if (this.view === view) this.view = undefined; });
    view.onDidChangeVisibility(() => { if (view.visible && !this.shown) this.followActiveEditor(); });
    if (!this.shown) this.followActiveEditor();
  }

  async openInEditor(): Promise<void> {
    if (this.editorPanel) { this.editorPanel.reveal(); return; }
    const p = vscode.window.createWebviewPanel(EDITOR_PANEL_TYPE, this.title(), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true, retainContextWhenHidden: true, localResourceRoots: this.roots(),
    });
    p.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.svg');
    this.editorPanel = p;
    this.attach(p.webview);
    p.onDidDispose(() => { this.surfaces.delete(p.webview); this.editorPanel = undefined; });
  }

  private title(): string {
    return this.shown?.entry ? `Architecture: ${this.shown.entry}` : 'Architecture';
  }

  private roots(): vscode.Uri[] {
    return [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media')];
  }

  private attach(webview: vscode.Webview): void {
    webview.options = { enableScripts: true, localResourceRoots: this.roots() };
    webview.html = this.html(webview);
    this.surfaces.add(webview);
    webview.onDidReceiveMessage((m: unknown) => {
      if (!isWebviewMessage(m)) { this.log.warn(`panel: ignored a malformed message ${JSON.stringify(m)?.slice(0, 200)}`); return; }
      void this.onMessage(webview, m).catch((e: unknown) => this.log.error(`panel: ${e instanceof Error ? e.message : String(e)}`));
    });
  }

  private html(webview: vscode.Webview): string {
    const n = nonce();
    const dist = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', f)).toString();
    const src = webview.cspSource;
    const csp = [
      "default-src 'none'",
      `script-src 'nonce-${n}'`,
      `style-src ${src} 'nonce-${n}'`,
      `img-src ${src} data: blob:`,
      `font-src ${src}`,
      `worker-src ${src} blob:`,
      // The layout worker's script is fetched from the extension's dist/ and started from a Blob URL.
      `connect-src ${src}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${n}" href="${dist('panel.css')}">
<title>Architecture</title>
</head>
<body data-worker-uri="${dist('layoutWorker.js')}">
<script nonce="${n}" src="${dist('webview.js')}"></script>
</body>
</html>`;
  }

  private post(msg: HostMessage): void {
    if (msg.type === 'graph' || msg.type === 'empty' || msg.type === 'error') { this.lastState = msg; this.lastHighlight = undefined; }
    if (msg.type === 'highlight') this.lastHighlight = msg;
    if (this.editorPanel) this.editorPanel.title = this.title();
    for (const w of this.surfaces) if (this.ready.has(w)) void w.postMessage(msg);
  }

  // ---- webview commands ------------------------------------------------------------------------

  private async onMessage(webview: vscode.Webview, m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready.add(webview);
        if (this.lastState) void webview.postMessage(this.lastState.type === 'graph' ? { ...this.lastState, keepViewport: false } : this.lastState);
        if (this.lastHighlight) void webview.postMessage(this.lastHighlight);
        if (this.stats) void webview.postMessage({ type: 'paramStats', stats: this.stats } satisfies HostMessage);
        return;
      case 'reveal': return this.revealLocation(m.loc);
      case 'selectEntry':
        if (this.shown) await this.update(this.shown.doc, { entry: m.expr, pinned: true, keepViewport: false });
        return;
      case 'openInEditor': return this.openInEditor();
      case 'export': return this.export(m.format, m.data);
      case 'log':
        this.log[m.level](`panel: ${m.message}`);
        return;
    }
  }

  private async revealLocation(loc: SourceLocation): Promise<void> {
    const shownDoc = this.shown?.doc;
    let uri: vscode.Uri;
    if (shownDoc && docFile(shownDoc) === loc.file) uri = shownDoc.uri;
    else if (path.isAbsolute(loc.file)) uri = vscode.Uri.file(loc.file);
    else { void vscode.window.showWarningMessage(`GHN Lens: cannot open ${loc.file}`); return; }
    const range = new vscode.Range(loc.line, loc.column, loc.line, loc.column);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    if (uri.toString() !== shownDoc?.uri.toString()) this.revealTarget = uri.toString();
    const editor = await vscode.window.showTextDocument(uri, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false, selection: range });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
  }

  private async export(format: ExportFormat, data: string | undefined): Promise<void> {
    const shown = this.shown;
    if (!shown?.graph) { void vscode.window.showInformationMessage('GHN Lens: no architecture graph to export.'); return; }
    let bytes: Uint8Array;
    if (format === 'svg' || format === 'png') {
      if (!data) return;
      if (format === 'png') {
        const m = /^data:image\/png;base64,(.*)$/s.exec(data);
        if (!m) { this.log.error('panel: PNG export was not a PNG data URL'); return; }
        bytes = Buffer.from(m[1], 'base64');
      } else bytes = Buffer.from(data, 'utf8');
    } else {
      const text = format === 'json' ? JSON.stringify(shown.graph, null, 1) : format === 'dot' ? archGraphToDot(archGraphFromJson(shown.graph)) : archGraphToGraphml(archGraphFromJson(shown.graph));
      bytes = Buffer.from(text, 'utf8');
    }
    const base = path.basename(docFile(shown.doc)).replace(/\.py$/, '');
    const name = `${base}.${(shown.entry ?? shown.graph.entry).replace(/[^\w.-]+/g, '_').replace(/_+$/, '')}.${format}`;
    const folder = shown.doc.uri.scheme === 'file' ? vscode.Uri.file(path.dirname(shown.doc.uri.fsPath)) : vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: { [format.toUpperCase()]: [format] },
      title: `Export the architecture as ${format.toUpperCase()}`,
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, bytes);
    this.log.info(`panel: exported ${format} to ${target.fsPath}`);
  }

  // ---- following the editor --------------------------------------------------------------------

  async reveal(doc: vscode.TextDocument, entryExpr?: string): Promise<void> {
    if (this.view) this.view.show(true);
    else await vscode.commands.executeCommand(`${ARCHITECTURE_VIEW_ID}.focus`);
    await this.update(doc, { entry: entryExpr, pinned: entryExpr !== undefined, keepViewport: false });
  }

  showParamStats(stats: Record<string, ParamStats>): void {
    this.stats = stats;
    this.post({ type: 'paramStats', stats });
  }

  private followActiveEditor(): void {
    const ed = vscode.window.activeTextEditor;
    if (ed && isModelDocument(ed.document)) void this.update(ed.document, { keepViewport: false });
    else if (!this.shown) this.post({ type: 'empty', reason: 'No PyTorch model under the cursor. Open a Python file with an nn.Module.' });
  }

  private onActiveEditor(ed: vscode.TextEditor | undefined): void {
    if (!ed) return; // focus went to a panel or a webview: keep what is shown
    if (this.revealTarget === ed.document.uri.toString()) { this.revealTarget = undefined; return; }
    if (!isModelDocument(ed.document)) return;
    if (this.shown?.doc === ed.document) return;
    if (!this.view?.visible && !this.editorPanel) { this.shown = undefined; return; } // refreshed when it becomes visible
    void this.update(ed.document, { keepViewport: false });
  }

  private onSelection(e: vscode.TextEditorSelectionChangeEvent): void {
    const shown = this.shown;
    if (!shown || e.textEditor.document !== shown.doc) return;
    clearTimeout(this.cursorTimer);
    this.cursorTimer = setTimeout(() => {
      const line = e.selections[0]?.active.line ?? 0;
      const ids = shown.graph ? nodesAtLine(shown.graph, docFile(shown.doc), line) : [];
      if (ids.length || shown.pinned || !shown.entries.length) { this.post({ type: 'highlight', nodeIds: ids, reveal: true }); return; }
      const under = entryAtLine(shown.entries, line);
      if (under && under.expr !== shown.entry && under.loc.line <= line && line <= Math.max(under.loc.line, under.loc.endLine)) {
        void this.update(shown.doc, { entry: under.expr, keepViewport: false });
      } else this.post({ type: 'highlight', nodeIds: [], reveal: false });
    }, CURSOR_DEBOUNCE_MS);
  }

  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    if (!this.shown || e.document !== this.shown.doc || !e.contentChanges.length) return;
    clearTimeout(this.editTimer);
    const shown = this.shown;
    this.editTimer = setTimeout(() => void this.update(shown.doc, { entry: shown.entry, pinned: shown.pinned, keepViewport: true }), EDIT_DEBOUNCE_MS);
  }

  private async update(doc: vscode.TextDocument, opts: { entry?: string; pinned?: boolean; keepViewport: boolean }): Promise<void> {
    const token = ++this.seq;
    const prev = this.shown;
    this.post({ type: 'loading', document: doc.uri.toString(), entry: opts.entry });
    let entries: ModelEntry[];
    try {
      entries = await this.graphs.findEntries(doc);
    } catch (e) {
      if (token !== this.seq) return;
      this.shown = { doc, entries: [], pinned: false };
      this.post({ type: 'error', message: `Could not read ${path.basename(docFile(doc))}: ${e instanceof Error ? e.message : String(e)}`, diagnostics: [] });
      return;
    }
    if (token !== this.seq) return;
    const editor = vscode.window.visibleTextEditors.find((ed) => ed.document === doc);
    const cursorLine = editor?.selection.active.line ?? 0;
    let entry = opts.entry;
    // After an edit the entry may have been renamed away: fall back to the one under the cursor.
    if (entry && !opts.pinned && !entries.some((e) => e.expr === entry)) entry = undefined;
    entry ??= entryAtLine(entries, cursorLine)?.expr;
    if (!entry) {
      this.shown = { doc, entries, pinned: false };
      this.post({ type: 'empty', reason: `No PyTorch model under the cursor: ${path.basename(docFile(doc))} defines no nn.Module class or model factory.` });
      return;
    }
    let graph: ArchGraphJson;
    try {
      graph = await this.graphs.buildGraph(doc, entry);
    } catch (e) {
      if (token !== this.seq) return;
      this.shown = { doc, entries, entry, pinned: !!opts.pinned };
      this.post({ type: 'error', message: `Could not build ${entry}: ${e instanceof Error ? e.message : String(e)}`, diagnostics: [] });
      return;
    }
    if (token !== this.seq) return;
    const same = prev?.doc === doc && prev.entry === entry;
    this.shown = { doc, entries, entry, graph, pinned: !!opts.pinned };
    const panelEntries: PanelEntry[] = entries.map((e) => ({ name: e.name, expr: e.expr }));
    if (!entries.some((e) => e.expr === entry)) panelEntries.unshift({ name: graph.modelType || entry, expr: entry });
    if (graph.nodes.length === 0 && graph.diagnostics.some((d) => d.severity === 'error')) {
      this.post({ type: 'error', message: `${entry} could not be followed:`, diagnostics: graph.diagnostics });
      return;
    }
    this.post({ type: 'graph', graph, document: doc.uri.toString(), keepViewport: opts.keepViewport && same, entries: panelEntries, entry });
    const ids = nodesAtLine(graph, docFile(doc), cursorLine);
    if (ids.length) this.post({ type: 'highlight', nodeIds: ids, reveal: false });
  }
}

/**
 * The Architecture panel: boots the UI, receives host messages, keeps the view state, and wires the
 * canvas (pan/zoom/select), the hierarchy (collapse/expand), search, minimap, legend and inspector.
 * Talks to the host only through `extension/protocol/panel.ts`.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { isHostMessage, type ArchGraphJson, type Diagnostic, type HostMessage, type ParamStats, type PanelEntry, type SourceLocation } from '../extension/protocol/panel';
import { CATEGORY_COLORS, CATEGORY_LABELS, readThemeColors, type ThemeColors } from './colors';
import { sceneToPng, sceneToSvg } from './exportImage';
import { formatCount } from './format';
import { buildHierarchy, collapseModule, defaultCollapsed, expandModule, expandTo, groupId, type Hierarchy, type VisibleGraph, visibleGraph } from './hierarchy';
import { renderGraphSummary, renderGroupInspector, renderOpInspector, type InspectorActions } from './inspector';
import { LayoutClient } from './layout';
import type { Direction } from './layoutTypes';
import { Minimap } from './minimap';
import { drawScene, type DrawState } from './render';
import { buildScene, hitBoxHeader, hitNode, nodeLabels, nodeSizes, type Scene } from './scene';
import { searchNodes, searchText } from './search';
import { centreOn, fitRect, visibleWorld, zoomAt, type Viewport } from './viewport';
import { loadState, post, saveState } from './vscodeApi';

/** Above this many ops the graph opens with modules collapsed. */
const COLLAPSE_THRESHOLD = 300;
/** ELK for up to this many visible nodes; the fast layered layout beyond. */
const ELK_MAX_NODES = 250;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(label: string, title: string, onClick: () => void, id?: string): HTMLElement {
  const b = document.createElement('vscode-button');
  b.setAttribute('secondary', '');
  b.textContent = label;
  b.title = title;
  if (id) b.id = id;
  b.addEventListener('click', onClick);
  return b;
}

/** Debug/test surface (the benchmark and the E2E suite read it; nothing in the UI depends on it). */
export interface PanelDebug {
  frames: number;
  lastFrameAt: number;
  /** Milliseconds spent in the last `drawScene` calls (newest last, at most 1,000). */
  drawMs: number[];
  /** Ops above which a new graph opens collapsed (the benchmark sets Infinity to draw everything). */
  collapseThreshold: number;
  fitAll(): void;
  graphSeq: number;
  drawnGraphSeq: number;
  lastLayoutMs: number;
  engine: string;
  view(): Viewport;
  setView(v: Viewport): void;
  /** Centre of a node (op id or `g:<module path>`) in client coordinates and relative to the canvas, or null if off screen. */
  nodeClientPoint(id: string): { x: number; y: number; cx: number; cy: number } | null;
  /** Point of an expanded module's box header (click it to collapse), as above, or null. */
  boxHeaderPoint(path: string): { x: number; y: number; cx: number; cy: number } | null;
  /** Centre the view on a node (following collapsed modules). */
  centreOn(id: string): void;
  visibleIds(): string[];
  highlightedIds(): string[];
  selectedId(): string | null;
  toggleModule(path: string): void;
}

class Panel {
  private graph: ArchGraphJson | null = null;
  private hier: Hierarchy | null = null;
  private haystack: string[] = [];
  private collapsed = new Set<string>();
  private vg: VisibleGraph | null = null;
  private scene: Scene | null = null;
  private view: Viewport = { scale: 1, tx: 0, ty: 0 };
  private direction: Direction = 'TB';
  private key = '';
  private fitPending = false;
  private selectedId: string | null = null;
  private highlightOps: string[] = [];
  private searchOps: number[] = [];
  private searchPos = -1;
  private stats: Record<string, ParamStats> | null = null;
  private theme: ThemeColors = readThemeColors();
  private drawQueued = false;
  private layoutSeq = 0;
  private anchor: { id: string; sx: number; sy: number } | null = null;
  /** The view is the automatic fit and the user has not moved it since: a refined layout may re-fit. */
  private autoFitted = false;
  private hoveredBox: string | null = null;
  private layout!: LayoutClient;

  readonly debug: PanelDebug;

  private readonly root = h('div', { id: 'app', 'data-state': 'loading' });
  private readonly entrySelect = document.createElement('vscode-single-select');
  private readonly search = document.createElement('vscode-textfield');
  private readonly searchCount = h('span', { id: 'search-count', class: 'dim' });
  private readonly progress = document.createElement('vscode-progress-bar');
  private readonly stage = h('main', { id: 'stage' });
  private readonly canvas = h('canvas', { id: 'graph', tabindex: '0', role: 'img', 'aria-label': 'Architecture graph' });
  private readonly minimapCanvas = h('canvas', { id: 'minimap', 'aria-label': 'Overview' });
  private readonly minimap: Minimap;
  private readonly legend = h('div', { id: 'legend' });
  private readonly inspector = h('aside', { id: 'inspector', 'aria-label': 'Inspector' });
  private readonly message = h('div', { id: 'message', role: 'status' });
  private readonly status = h('footer', { id: 'status' });
  private readonly exportMenu = h('div', { id: 'export-menu', hidden: '' });

  constructor() {
    this.buildDom();
    this.minimap = new Minimap(this.minimapCanvas, (x, y) => { this.view = centreOn(x, y, this.canvas.clientWidth, this.canvas.clientHeight, this.view.scale); this.viewChanged(); });
    this.bindCanvas();
    new ResizeObserver(() => this.requestDraw()).observe(this.stage);
    new MutationObserver(() => { this.theme = readThemeColors(); this.minimap.setScene(this.scene, this.theme); this.requestDraw(); })
      .observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind', 'style'] });
    this.debug = {
      frames: 0, lastFrameAt: 0, drawMs: [], collapseThreshold: COLLAPSE_THRESHOLD,
      fitAll: () => { if (this.scene) { this.view = fitRect(0, 0, this.scene.width, this.scene.height, this.canvas.clientWidth, this.canvas.clientHeight); this.viewChanged(); } },
      graphSeq: 0, drawnGraphSeq: 0, lastLayoutMs: 0, engine: '',
      view: () => ({ ...this.view }),
      setView: (v) => { this.view = { ...v }; this.viewChanged(); },
      nodeClientPoint: (id) => this.nodeClientPoint(id),
      boxHeaderPoint: (path) => {
        const b = this.scene?.boxes.find((x) => x.path === path);
        return b ? this.clientPoint(b.x0 + 8, b.y0 + 8) : null;
      },
      centreOn: (id) => { const i = this.resolveVisible(id); if (i >= 0) this.centreOnVisible(i, 0.8); this.draw(); },
      visibleIds: () => this.vg?.nodes.map((n) => n.id) ?? [],
      highlightedIds: () => [...this.highlightedVisible()].map((i) => this.vg!.nodes[i].id),
      selectedId: () => this.selectedId,
      toggleModule: (path) => this.toggleModule(path),
    };
  }

  async start(workerUrl: string | undefined): Promise<void> {
    this.layout = await LayoutClient.create(workerUrl);
    if (this.layout.workerError) post({ type: 'log', level: 'warn', message: this.layout.workerError });
    window.addEventListener('message', (e: MessageEvent<unknown>) => { if (isHostMessage(e.data)) this.onMessage(e.data); });
    this.showMessage('Waiting for a PyTorch model…');
    post({ type: 'ready' });
  }

  // ---- DOM -------------------------------------------------------------------------------------

  private buildDom(): void {
    const bar = h('header', { id: 'toolbar' });
    this.entrySelect.id = 'entry';
    this.entrySelect.title = 'Model in this file';
    this.entrySelect.addEventListener('change', () => {
      const v = (this.entrySelect as unknown as { value: string }).value;
      if (v && v !== this.currentEntry) { this.currentEntry = v; post({ type: 'selectEntry', expr: v }); }
    });
    this.search.id = 'search';
    this.search.setAttribute('placeholder', 'Search ops, modules…');
    this.search.setAttribute('aria-label', 'Search ops and modules');
    let t: number | undefined;
    this.search.addEventListener('input', () => { clearTimeout(t); t = window.setTimeout(() => this.runSearch(), 120); });
    this.search.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter') { e.preventDefault(); this.runSearch(); this.nextMatch(e.shiftKey ? -1 : 1); }
      if (e.key === 'Escape') { (this.search as unknown as { value: string }).value = ''; this.runSearch(); this.canvas.focus(); }
    });
    const exp = h('div', { class: 'export-wrap' });
    const expBtn = button('Export', 'Export the view (SVG, PNG) or the graph (JSON, DOT, GraphML)', () => this.exportMenu.toggleAttribute('hidden'), 'export');
    for (const f of ['svg', 'png', 'json', 'dot', 'graphml'] as const) {
      this.exportMenu.append(button(f.toUpperCase(), `Export as ${f.toUpperCase()}`, () => { this.exportMenu.setAttribute('hidden', ''); this.export(f); }, `export-${f}`));
    }
    exp.append(expBtn, this.exportMenu);
    bar.append(
      this.entrySelect, this.search, this.searchCount,
      button('Fit', 'Fit the graph (F)', () => this.fit(), 'fit'),
      button('+', 'Zoom in (+)', () => this.zoom(1.25), 'zoom-in'),
      button('−', 'Zoom out (-)', () => this.zoom(0.8), 'zoom-out'),
      button('⇅', 'Switch top-down / left-right layout (L)', () => this.toggleDirection(), 'direction'),
      button('Collapse', 'Collapse all modules', () => this.collapseAll(), 'collapse-all'),
      button('Expand', 'Expand all modules', () => this.expandAll(), 'expand-all'),
      exp,
      button('Info', 'Show or hide the details (I)', () => this.inspector.classList.toggle('closed'), 'details'),
      button('↗', 'Open in an editor tab', () => post({ type: 'openInEditor' }), 'open-editor'),
    );
    this.progress.id = 'progress';
    this.progress.setAttribute('indeterminate', '');
    this.progress.hidden = true;
    this.stage.append(this.canvas, this.minimapCanvas, this.legend, this.inspector, this.message);
    this.root.append(bar, this.progress, this.stage, this.status);
    document.body.append(this.root);
  }

  private showMessage(text: string, diagnostics: Diagnostic[] = []): void {
    this.message.replaceChildren(h('p', {}, text));
    if (diagnostics.length) {
      const ul = h('ul', { class: 'diagnostics' });
      for (const d of diagnostics) {
        const li = h('li', { class: `diag diag-${d.severity}` });
        li.append(h('span', { class: 'diag-sev' }, d.severity), ' ');
        if (d.loc) {
          const a = h('a', { href: '#' }, `line ${d.loc.line + 1}`);
          const loc = d.loc;
          a.addEventListener('click', (e) => { e.preventDefault(); post({ type: 'reveal', loc }); });
          li.append(a, ': ');
        }
        li.append(`${d.message} (${d.code})`);
        ul.append(li);
      }
      this.message.append(ul);
    }
    this.message.hidden = false;
  }

  // ---- messages --------------------------------------------------------------------------------

  private onMessage(msg: HostMessage): void {
    switch (msg.type) {
      case 'graph': this.setGraph(msg.graph, msg.document, msg.keepViewport, msg.entries, msg.entry); break;
      case 'loading': this.progress.hidden = false; break;
      case 'empty':
        this.progress.hidden = true;
        this.clearGraph('empty');
        this.showMessage(msg.reason || 'No PyTorch model under the cursor');
        break;
      case 'error':
        this.progress.hidden = true;
        this.clearGraph('error');
        this.showMessage(msg.message, msg.diagnostics);
        break;
      case 'highlight': this.setHighlight(msg.nodeIds, msg.reveal ?? true); break;
      case 'paramStats': this.stats = msg.stats; this.updateInspector(); break;
      case 'requestExport': this.export(msg.format); break;
    }
  }

  private clearGraph(state: 'empty' | 'error'): void {
    this.graph = null; this.hier = null; this.vg = null; this.scene = null; this.key = '';
    this.root.dataset.state = state;
    this.root.dataset.nodeCount = '0';
    this.inspector.replaceChildren();
    this.inspector.hidden = true;
    this.legend.replaceChildren();
    this.minimap.setScene(null, this.theme);
    this.status.textContent = '';
    this.requestDraw();
  }

  private currentEntry = '';

  private setEntries(entries: PanelEntry[] | undefined, current: string): void {
    this.currentEntry = current;
    if (!entries) return;
    this.entrySelect.replaceChildren(...entries.map((e) => {
      const o = document.createElement('vscode-option');
      o.setAttribute('value', e.expr);
      o.textContent = e.name === e.expr.replace(/\(\)$/, '') ? e.expr : `${e.name} — ${e.expr}`;
      if (e.expr === current) o.setAttribute('selected', '');
      return o;
    }));
    this.entrySelect.hidden = entries.length === 0;
  }

  private setGraph(graph: ArchGraphJson, document: string, keepViewport: boolean, entries: PanelEntry[] | undefined, entry: string | undefined): void {
    const key = `${document}::${entry ?? graph.entry}`;
    const same = key === this.key;
    this.setEntries(entries, entry ?? graph.entry);
    this.graph = graph;
    this.hier = buildHierarchy(graph);
    this.haystack = graph.nodes.map(searchText);
    this.debug.graphSeq++;
    const saved = loadState();
    if (same && keepViewport) {
      this.collapsed = new Set([...this.collapsed].filter((p) => this.hier!.modules.has(p)));
    } else if (saved && saved.key === key) {
      this.collapsed = new Set(saved.collapsed.filter((p) => this.hier!.modules.has(p)));
      this.direction = saved.direction;
      this.view = { scale: saved.scale, tx: saved.tx, ty: saved.ty };
      this.fitPending = false;
    } else {
      this.collapsed = defaultCollapsed(this.hier, graph.nodes.length, this.debug.collapseThreshold);
      this.fitPending = true;
      this.selectedId = null;
      this.highlightOps = [];
    }
    if (!same) this.selectedId = null;
    this.key = key;
    this.root.dataset.state = 'graph';
    this.root.dataset.nodeCount = String(graph.nodes.length);
    this.root.dataset.edgeCount = String(graph.edges.length);
    this.root.dataset.entry = graph.entry;
    this.root.dataset.inputShape = graph.inputShape.map((d) => (d === null ? '?' : String(d))).join(',');
    this.message.hidden = true;
    if (graph.nodes.length === 0) this.showMessage('The model has no operations that could be followed.', graph.diagnostics);
    this.renderLegend();
    this.runSearch(false);
    void this.relayout();
  }

  // ---- visible graph and layout -----------------------------------------------------------------

  private async relayout(): Promise<void> {
    if (!this.graph || !this.hier) return;
    const graph = this.graph;
    const vg = visibleGraph(graph, this.hier, this.collapsed);
    const labels = nodeLabels(graph, this.hier, vg);
    const sizes = nodeSizes(labels);
    const edges = new Int32Array(vg.edges.length * 2);
    vg.edges.forEach((e, i) => { edges[2 * i] = e.source; edges[2 * i + 1] = e.target; });
    const seq = ++this.layoutSeq;
    this.progress.hidden = false;
    return new Promise((resolve) => {
      this.layout.layout(sizes.widths, sizes.heights, edges, this.direction, ELK_MAX_NODES, (result) => {
        if (seq !== this.layoutSeq || graph !== this.graph || !this.hier) { resolve(); return; }
        this.progress.hidden = result.final;
        if (result.error) post({ type: 'log', level: 'warn', message: result.error });
        const refining = this.vg === vg;
        this.vg = vg;
        this.scene = buildScene(graph, this.hier, vg, labels, sizes, result);
        this.debug.lastLayoutMs = result.ms;
        this.debug.engine = result.engine;
        this.root.dataset.visibleCount = String(vg.nodes.length);
        this.root.dataset.layout = result.engine;
        this.root.dataset.collapsed = [...this.collapsed].sort().join(' ');
        if (this.fitPending || (refining && this.autoFitted)) { this.fitPending = false; this.fit(false); this.autoFitted = true; }
        else if (this.anchor) {
          const i = this.resolveVisible(this.anchor.id);
          if (i >= 0) {
            this.view = { scale: this.view.scale, tx: this.anchor.sx - this.scene.xs[i] * this.view.scale, ty: this.anchor.sy - this.scene.ys[i] * this.view.scale };
          }
        }
        if (result.final) this.anchor = null;
        this.minimap.setScene(this.scene, this.theme);
        this.updateStatus();
        if (!refining) { this.updateInspector(); this.updateSearchCount(); }
        if (!refining) this.debug.drawnGraphSeq = -1;
        this.requestDraw();
        resolve();
      });
    });
  }

  /** Visible index for an op id or group id, following collapsed modules. */
  private resolveVisible(id: string): number {
    if (!this.vg || !this.graph) return -1;
    const direct = this.vg.indexOf.get(id);
    if (direct !== undefined) return direct;
    if (id.startsWith('g:')) {
      // An expanded module: its first visible node.
      const path = id.slice(2);
      const first = this.hier?.modules.get(path)?.first;
      return first === undefined ? -1 : this.vg.nodeToVisible[first];
    }
    const idx = this.opIndex(id);
    return idx < 0 ? -1 : this.vg.nodeToVisible[idx];
  }

  private opIndexCache: Map<string, number> | null = null;
  private opIndexGraph: ArchGraphJson | null = null;
  private opIndex(id: string): number {
    if (this.opIndexGraph !== this.graph || !this.opIndexCache) {
      this.opIndexCache = new Map(this.graph?.nodes.map((n, i) => [n.id, i]) ?? []);
      this.opIndexGraph = this.graph;
    }
    return this.opIndexCache.get(id) ?? -1;
  }

  private setCollapsed(next: Set<string>, anchorId: string | null): void {
    if (anchorId && this.scene) {
      const i = this.resolveVisible(anchorId);
      if (i >= 0) this.anchor = { id: anchorId, sx: this.scene.xs[i] * this.view.scale + this.view.tx, sy: this.scene.ys[i] * this.view.scale + this.view.ty };
    }
    this.collapsed = next;
    this.persist();
    void this.relayout();
  }

  private toggleModule(path: string): void {
    if (!this.hier) return;
    if (this.collapsed.has(path)) this.setCollapsed(expandModule(this.hier, path, this.collapsed), groupId(path));
    else this.setCollapsed(collapseModule(path, this.collapsed), groupId(path));
  }

  private collapseAll(): void {
    if (!this.hier) return;
    const top = [...this.hier.modules.values()].filter((m) => m.depth === 1).map((m) => m.path);
    this.fitPending = true;
    this.setCollapsed(new Set(top), null);
  }

  private expandAll(): void {
    this.fitPending = true;
    this.setCollapsed(new Set(), null);
  }

  private toggleDirection(): void {
    this.direction = this.direction === 'TB' ? 'LR' : 'TB';
    this.fitPending = true;
    this.persist();
    void this.relayout();
  }

  // ---- view ------------------------------------------------------------------------------------

  private fit(animate = true): void {
    void animate;
    if (!this.scene) return;
    const w = this.canvas.clientWidth || 300, hh = this.canvas.clientHeight || 300;
    const v = fitRect(0, 0, this.scene.width, this.scene.height, w, hh);
    // A tall graph fit to a narrow side bar is unreadable: keep labels legible and start at the top.
    const minReadable = 0.8;
    if (v.scale < minReadable && this.scene.n > 1) {
      const s = Math.max(v.scale, Math.min(minReadable, 1));
      this.view = this.direction === 'TB'
        ? { scale: s, tx: w / 2 - (this.scene.width / 2) * s, ty: 16 }
        : { scale: s, tx: 16, ty: hh / 2 - (this.scene.height / 2) * s };
      if (this.direction === 'TB' && this.scene.width * s < w) this.view.tx = (w - this.scene.width * s) / 2;
    } else this.view = v;
    this.viewChanged();
  }

  private zoom(f: number): void {
    this.view = zoomAt(this.view, f, this.canvas.clientWidth / 2, this.canvas.clientHeight / 2);
    this.viewChanged();
  }

  private centreOnVisible(i: number, minScale = 0.6): void {
    if (!this.scene) return;
    this.view = centreOn(this.scene.xs[i], this.scene.ys[i], this.canvas.clientWidth, this.canvas.clientHeight, Math.max(this.view.scale, minScale));
    this.viewChanged();
  }

  private isOnScreen(i: number): boolean {
    if (!this.scene) return false;
    const [x0, y0, x1, y1] = visibleWorld(this.view, this.canvas.clientWidth, this.canvas.clientHeight);
    const x = this.scene.xs[i], y = this.scene.ys[i];
    if (!(x > x0 && x < x1 && y > y0 && y < y1)) return false;
    // A node under the inspector is not really in view.
    const ins = this.inspector.getBoundingClientRect();
    if (ins.width && ins.height) {
      const c = this.canvas.getBoundingClientRect();
      const sx = c.left + x * this.view.scale + this.view.tx, sy = c.top + y * this.view.scale + this.view.ty;
      if (sx >= ins.left && sx <= ins.right && sy >= ins.top && sy <= ins.bottom) return false;
    }
    return true;
  }

  private persistTimer: number | undefined;
  private viewChanged(): void {
    this.autoFitted = false;
    this.requestDraw();
    clearTimeout(this.persistTimer);
    this.persistTimer = window.setTimeout(() => this.persist(), 300);
  }

  private persist(): void {
    if (!this.key) return;
    saveState({ key: this.key, ...this.view, collapsed: [...this.collapsed], direction: this.direction });
  }

  private nodeClientPoint(id: string): { x: number; y: number; cx: number; cy: number } | null {
    const i = this.resolveVisible(id);
    if (i < 0 || !this.scene) return null;
    return this.clientPoint(this.scene.xs[i], this.scene.ys[i]);
  }

  private clientPoint(wx: number, wy: number): { x: number; y: number; cx: number; cy: number } | null {
    const r = this.canvas.getBoundingClientRect();
    const cx = wx * this.view.scale + this.view.tx;
    const cy = wy * this.view.scale + this.view.ty;
    if (cx < 0 || cx > r.width || cy < 0 || cy > r.height) return null;
    return { x: r.left + cx, y: r.top + cy, cx, cy };
  }

  // ---- drawing ---------------------------------------------------------------------------------

  requestDraw(): void {
    if (this.drawQueued) return;
    this.drawQueued = true;
    requestAnimationFrame(() => { this.drawQueued = false; this.draw(); });
  }

  private highlightedVisible(): Set<number> {
    const out = new Set<number>();
    for (const id of this.highlightOps) {
      const i = this.resolveVisible(id);
      if (i >= 0) out.add(i);
    }
    return out;
  }

  private draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth, hh = this.canvas.clientHeight;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(hh * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(hh * dpr);
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    if (!this.scene) {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = this.theme.background;
      ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
      this.minimapCanvas.hidden = true;
      return;
    }
    const t0 = performance.now();
    drawScene(ctx, this.scene, this.view, w, hh, this.theme, this.drawState(), dpr);
    this.debug.drawMs.push(performance.now() - t0);
    if (this.debug.drawMs.length > 1000) this.debug.drawMs.shift();
    this.minimapCanvas.hidden = this.scene.n < 30;
    if (!this.minimapCanvas.hidden) this.minimap.draw(this.view, w, hh, this.theme);
    this.debug.frames++;
    this.debug.lastFrameAt = performance.now();
    if (this.debug.drawnGraphSeq !== this.debug.graphSeq) {
      this.debug.drawnGraphSeq = this.debug.graphSeq;
      this.root.dataset.drawn = String(this.debug.graphSeq);
    }
  }

  private drawState(): DrawState {
    const sel = this.selectedId ? this.resolveVisible(this.selectedId) : -1;
    const matches = new Set<number>();
    if (this.vg) for (const k of this.searchOps) matches.add(this.vg.nodeToVisible[k]);
    return { selected: sel, highlighted: this.highlightedVisible(), matches, hoveredBox: this.hoveredBox };
  }

  // ---- interaction -----------------------------------------------------------------------------

  private bindCanvas(): void {
    const c = this.canvas;
    let down: { x: number; y: number; tx: number; ty: number; moved: boolean; id: number } | null = null;
    c.addEventListener('pointerdown', (e) => {
      c.focus();
      this.exportMenu.setAttribute('hidden', '');
      down = { x: e.clientX, y: e.clientY, tx: this.view.tx, ty: this.view.ty, moved: false, id: e.pointerId };
      try { c.setPointerCapture(e.pointerId); } catch { /* synthetic events have no capturable pointer */ }
    });
    c.addEventListener('pointermove', (e) => {
      if (down) {
        const dx = e.clientX - down.x, dy = e.clientY - down.y;
        if (!down.moved && Math.hypot(dx, dy) < 4) return;
        down.moved = true;
        c.classList.add('panning');
        this.view = { scale: this.view.scale, tx: down.tx + dx, ty: down.ty + dy };
        this.viewChanged();
        return;
      }
      this.hover(e);
    });
    c.addEventListener('pointerup', (e) => {
      const d = down;
      down = null;
      c.classList.remove('panning');
      if (d && c.hasPointerCapture(d.id)) c.releasePointerCapture(d.id);
      if (d && !d.moved) this.click(e);
    });
    c.addEventListener('dblclick', (e) => {
      const hit = this.hitAt(e);
      if (hit.node >= 0 && this.vg) {
        const v = this.vg.nodes[hit.node];
        if (v.kind === 'group') this.toggleModule(v.path);
      }
    });
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = c.getBoundingClientRect();
      if (e.shiftKey && !e.ctrlKey) {
        this.view = { ...this.view, tx: this.view.tx - e.deltaY, ty: this.view.ty - e.deltaX };
      } else {
        const k = e.ctrlKey ? 0.01 : 0.0015;
        this.view = zoomAt(this.view, Math.exp(-e.deltaY * k * (e.deltaMode === 1 ? 16 : 1)), e.clientX - r.left, e.clientY - r.top);
      }
      this.viewChanged();
    }, { passive: false });
    c.addEventListener('keydown', (e) => this.key_(e));
  }

  private hitAt(e: MouseEvent): { node: number; box: string | null } {
    if (!this.scene) return { node: -1, box: null };
    const r = this.canvas.getBoundingClientRect();
    const x = (e.clientX - r.left - this.view.tx) / this.view.scale;
    const y = (e.clientY - r.top - this.view.ty) / this.view.scale;
    const node = hitNode(this.scene, x, y);
    const box = node < 0 ? hitBoxHeader(this.scene, x, y)?.path ?? null : null;
    return { node, box };
  }

  private hover(e: PointerEvent): void {
    const hit = this.hitAt(e);
    const box = hit.box;
    if (box !== this.hoveredBox) { this.hoveredBox = box; this.requestDraw(); }
    this.canvas.style.cursor = hit.node >= 0 || box ? 'pointer' : '';
    const title = hit.node >= 0 && this.scene ? `${this.scene.labels[hit.node].title}\n${this.scene.labels[hit.node].subtitle}` : box ? `Collapse ${box}` : '';
    if (this.canvas.title !== title) this.canvas.title = title;
  }

  private click(e: MouseEvent): void {
    const hit = this.hitAt(e);
    if (hit.box) { this.toggleModule(hit.box); return; }
    if (hit.node < 0 || !this.vg || !this.graph) { this.select(null); return; }
    const v = this.vg.nodes[hit.node];
    this.select(v.id);
    const loc = v.kind === 'op' ? this.graph.nodes[v.index].loc ?? this.graph.nodes[v.index].defLoc : this.graph.modules.find((m) => m.path === v.path)?.defLoc;
    if (loc) post({ type: 'reveal', loc });
  }

  private select(id: string | null): void {
    this.selectedId = id;
    this.root.dataset.selected = id ?? '';
    this.updateInspector();
    this.requestDraw();
  }

  private key_(e: KeyboardEvent): void {
    const step = 60;
    const k = e.key;
    if (k === 'ArrowLeft') this.view = { ...this.view, tx: this.view.tx + step };
    else if (k === 'ArrowRight') this.view = { ...this.view, tx: this.view.tx - step };
    else if (k === 'ArrowUp') this.view = { ...this.view, ty: this.view.ty + step };
    else if (k === 'ArrowDown') this.view = { ...this.view, ty: this.view.ty - step };
    else if (k === '+' || k === '=') { this.zoom(1.25); e.preventDefault(); return; }
    else if (k === '-' || k === '_') { this.zoom(0.8); e.preventDefault(); return; }
    else if (k === 'f' || k === 'F' || k === '0') { this.fit(); e.preventDefault(); return; }
    else if (k === 'l' || k === 'L') { this.toggleDirection(); return; }
    else if (k === '/' || (k === 'f' && (e.ctrlKey || e.metaKey))) { e.preventDefault(); (this.search as unknown as HTMLElement).focus(); return; }
    else if (k === 'Escape') { this.select(null); return; }
    else if (k === 'i' || k === 'I') { this.inspector.classList.toggle('closed'); return; }
    else if (k === 'Enter' && this.selectedId?.startsWith('g:')) { this.toggleModule(this.selectedId.slice(2)); return; }
    else return;
    e.preventDefault();
    this.viewChanged();
  }

  // ---- highlight, search, inspector ------------------------------------------------------------

  private setHighlight(ids: string[], reveal: boolean): void {
    this.highlightOps = ids;
    const vis = [...this.highlightedVisible()];
    this.root.dataset.highlighted = vis.map((i) => this.vg!.nodes[i].id).join(' ');
    if (reveal && vis.length && !vis.some((i) => this.isOnScreen(i))) this.centreOnVisible(vis[0], Math.min(this.view.scale, 1));
    this.requestDraw();
  }

  private runSearch(draw = true): void {
    const q = (this.search as unknown as { value?: string }).value ?? '';
    this.searchOps = searchNodes(this.haystack, q);
    this.searchPos = -1;
    this.updateSearchCount();
    if (draw) this.requestDraw();
  }

  private updateSearchCount(): void {
    const q = (this.search as unknown as { value?: string }).value ?? '';
    this.searchCount.textContent = q ? `${this.searchPos >= 0 ? this.searchPos + 1 + ' / ' : ''}${this.searchOps.length} found` : '';
  }

  private nextMatch(dir: number): void {
    if (!this.searchOps.length || !this.hier || !this.graph) return;
    this.searchPos = (this.searchPos + dir + this.searchOps.length) % this.searchOps.length;
    const idx = this.searchOps[this.searchPos];
    const id = this.graph.nodes[idx].id;
    this.updateSearchCount();
    const show = (): void => { const i = this.resolveVisible(id); if (i >= 0) { this.select(id); this.centreOnVisible(i); } };
    const chain = this.hier.chains[idx];
    if (chain.some((p) => this.collapsed.has(p))) {
      this.collapsed = expandTo(this.hier, idx, this.collapsed);
      this.persist();
      void this.relayout().then(show);
    } else show();
  }

  private actions: InspectorActions = {
    reveal: (loc: SourceLocation) => post({ type: 'reveal', loc }),
    expand: (path: string) => this.toggleModule(path),
    collapse: (path: string) => { if (this.hier) this.setCollapsed(collapseModule(path, this.collapsed), groupId(path)); this.select(groupId(path)); },
  };

  private updateInspector(): void {
    if (!this.graph || !this.hier) return;
    this.inspector.hidden = false;
    const id = this.selectedId;
    // In a narrow side bar the model summary would cover the graph: the inspector then waits for a selection.
    this.inspector.classList.toggle('summary', !id);
    if (id?.startsWith('g:') && this.hier.modules.has(id.slice(2))) {
      renderGroupInspector(this.inspector, this.graph, this.hier, id.slice(2), this.stats, this.actions);
    } else if (id && this.opIndex(id) >= 0) {
      const i = this.opIndex(id);
      renderOpInspector(this.inspector, this.graph.nodes[i], this.hier.chains[i], this.stats, this.actions);
    } else {
      renderGraphSummary(this.inspector, this.graph);
      if (this.graph.diagnostics.length) {
        const d = h('section', { class: 'insp-section' });
        d.append(h('h3', {}, `Diagnostics · ${this.graph.diagnostics.length}`));
        const holder = h('div');
        d.append(holder);
        this.inspector.append(d);
        const ul = h('ul', { class: 'diagnostics' });
        for (const g of this.graph.diagnostics.slice(0, 100)) {
          const li = h('li', { class: `diag diag-${g.severity}` });
          if (g.loc) {
            const loc = g.loc;
            const a = h('a', { href: '#' }, `line ${loc.line + 1}`);
            a.addEventListener('click', (e) => { e.preventDefault(); post({ type: 'reveal', loc }); });
            li.append(a, ': ');
          }
          li.append(g.message);
          ul.append(li);
        }
        holder.append(ul);
      }
    }
  }

  private renderLegend(): void {
    if (!this.graph) return;
    const present = new Set<string>(this.graph.nodes.map((n) => n.category));
    if (this.collapsed.size || this.graph.nodes.length > COLLAPSE_THRESHOLD) present.add('group');
    if (present.has('output')) present.add('input');
    this.legend.replaceChildren();
    for (const [cat, label] of CATEGORY_LABELS) {
      if (!present.has(cat)) continue;
      const item = h('span', { class: 'legend-item' });
      const sw = h('span', { class: 'legend-swatch' });
      sw.style.background = CATEGORY_COLORS[cat];
      item.append(sw, label);
      this.legend.append(item);
    }
  }

  private updateStatus(): void {
    if (!this.graph || !this.vg) return;
    const g = this.graph;
    this.status.textContent = `${g.nodes.length} ops · ${this.vg.nodes.length} shown · ${formatCount(g.totalParams)} params · ${formatCount(g.macs)} MACs`
      + (g.diagnostics.length ? ` · ${g.diagnostics.length} diagnostics` : '') + (g.partial ? ' · partial' : '');
  }

  // ---- export ----------------------------------------------------------------------------------

  private export(format: 'svg' | 'png' | 'json' | 'dot' | 'graphml'): void {
    if (format === 'json' || format === 'dot' || format === 'graphml') { post({ type: 'export', format }); return; }
    if (!this.scene) { post({ type: 'log', level: 'warn', message: 'Nothing to export: no graph is shown.' }); return; }
    try {
      const data = format === 'svg' ? sceneToSvg(this.scene, this.theme) : sceneToPng(this.scene, this.theme, { ...this.drawState(), selected: -1, matches: new Set(), highlighted: new Set(), hoveredBox: null });
      post({ type: 'export', format, data });
    } catch (err) {
      post({ type: 'log', level: 'error', message: `Export failed: ${String(err)}` });
    }
  }
}

const panel = new Panel();
(window as unknown as { ghnPanel: PanelDebug }).ghnPanel = panel.debug;
void panel.start(document.body.dataset.workerUri);

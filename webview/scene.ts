/**
 * The scene: what the renderer draws for one visible graph and its layout — node boxes with labels,
 * edge routes with shape labels, boxes around expanded modules, and a grid index for culling and hit tests.
 * No DOM here (text widths are estimated), so it can be unit-tested and reused by the image export.
 */
import type { ArchGraphJson } from '../extension/protocol/panel';
import { CATEGORY_COLORS } from './colors';
import { attrSummary, formatCount, formatShape } from './format';
import type { Hierarchy, VisibleGraph } from './hierarchy';
import type { EdgeRoute, LayoutResult } from './layoutTypes';

export interface NodeLabel {
  title: string;
  subtitle: string;
  /** Third line for collapsed modules (counts). */
  detail: string;
  color: string;
  group: boolean;
}

export interface ModuleBox {
  path: string;
  type: string;
  x0: number; y0: number; x1: number; y1: number;
  depth: number;
}

export interface Scene {
  n: number;
  labels: NodeLabel[];
  xs: Float32Array; ys: Float32Array; ws: Float32Array; hs: Float32Array;
  routes: EdgeRoute[];
  edgeSrc: Int32Array; edgeDst: Int32Array;
  /** The tensor-shape label of an edge (computed when drawn: big graphs have tens of thousands of edges). */
  edgeLabel(i: number): string;
  /** Edge bounding boxes [x0, y0, x1, y1] * m, for culling. */
  edgeBoxes: Float32Array;
  boxes: ModuleBox[];
  width: number; height: number;
  grid: SpatialGrid;
}

const CHAR_W = 7.2;
const lastSegment = (p: string): string => p.slice(p.lastIndexOf('.') + 1);

export function nodeLabels(graph: Pick<ArchGraphJson, 'nodes'>, h: Hierarchy, vg: VisibleGraph): NodeLabel[] {
  return vg.nodes.map((v) => {
    if (v.kind === 'group') {
      const m = h.modules.get(v.path);
      const detail = `${m?.opCount ?? 0} ops${m?.params ? ` · ${formatCount(m.params)} params` : ''}`;
      return { title: `▸ ${m?.type || 'Module'}`, subtitle: v.path, detail, color: CATEGORY_COLORS.group, group: true };
    }
    const node = graph.nodes[v.index];
    const title = node.kind === 'module' ? (node.moduleType ?? node.op) : node.op;
    let subtitle: string;
    if (node.kind === 'input' || node.kind === 'output') subtitle = formatShape(node.kind === 'input' ? node.outputShapes[0] : node.inputShapes[0]);
    else if (node.kind === 'module') subtitle = [lastSegment(node.modulePath), attrSummary(node.attrs)].filter(Boolean).join(' · ');
    else subtitle = attrSummary(node.attrs);
    return { title, subtitle, detail: '', color: CATEGORY_COLORS[node.category] ?? CATEGORY_COLORS.unknown, group: false };
  });
}

export function nodeSizes(labels: NodeLabel[]): { widths: Float32Array; heights: Float32Array } {
  const widths = new Float32Array(labels.length);
  const heights = new Float32Array(labels.length);
  labels.forEach((l, i) => {
    const chars = Math.max(l.title.length * 1.1, l.subtitle.length * 0.9, l.detail.length * 0.9);
    widths[i] = Math.min(Math.max(Math.ceil(chars * CHAR_W) + 24, l.group ? 140 : 96), 260);
    heights[i] = l.group ? 58 : l.subtitle ? 40 : 30;
  });
  return { widths, heights };
}

export class SpatialGrid {
  private readonly cells = new Map<number, number[]>();
  constructor(readonly cell: number) {}
  private key(cx: number, cy: number): number { return cx * 100003 + cy; }
  insert(i: number, x0: number, y0: number, x1: number, y1: number): void {
    for (let cx = Math.floor(x0 / this.cell); cx <= Math.floor(x1 / this.cell); cx++) {
      for (let cy = Math.floor(y0 / this.cell); cy <= Math.floor(y1 / this.cell); cy++) {
        const k = this.key(cx, cy);
        let c = this.cells.get(k);
        if (!c) { c = []; this.cells.set(k, c); }
        c.push(i);
      }
    }
  }
  /** Items whose cells overlap the rectangle (may contain duplicates; callers test exact bounds). */
  query(x0: number, y0: number, x1: number, y1: number, visit: (i: number) => void): void {
    const cx0 = Math.floor(x0 / this.cell);
    const cx1 = Math.floor(x1 / this.cell);
    const cy0 = Math.floor(y0 / this.cell);
    const cy1 = Math.floor(y1 / this.cell);
    if ((cx1 - cx0 + 1) * (cy1 - cy0 + 1) > this.cells.size * 4) {
      for (const c of this.cells.values()) for (const i of c) visit(i);
      return;
    }
    for (let cx = cx0; cx <= cx1; cx++) {
      for (let cy = cy0; cy <= cy1; cy++) {
        const c = this.cells.get(this.key(cx, cy));
        if (c) for (const i of c) visit(i);
      }
    }
  }
}

function moduleBoxes(h: Hierarchy, vg: VisibleGraph, xs: Float32Array, ys: Float32Array, ws: Float32Array, hs: Float32Array): ModuleBox[] {
  const acc = new Map<string, { x0: number; y0: number; x1: number; y1: number; count: number }>();
  const add = (p: string, i: number): void => {
    let b = acc.get(p);
    if (!b) { b = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity, count: 0 }; acc.set(p, b); }
    b.x0 = Math.min(b.x0, xs[i] - ws[i] / 2); b.x1 = Math.max(b.x1, xs[i] + ws[i] / 2);
    b.y0 = Math.min(b.y0, ys[i] - hs[i] / 2); b.y1 = Math.max(b.y1, ys[i] + hs[i] / 2);
    b.count++;
  };
  vg.nodes.forEach((v, i) => {
    if (v.kind === 'op') for (const p of h.chains[v.index]) add(p, i);
    else {
      const parts = v.path.split('.');
      for (let k = 1; k < parts.length; k++) add(parts.slice(0, k).join('.'), i);
    }
  });
  // Nesting level below each expanded module, for padding: outer boxes get more room.
  const level = new Map<string, number>();
  const paths = [...acc.keys()].sort((a, b) => b.split('.').length - a.split('.').length);
  for (const p of paths) {
    const l = level.get(p) ?? 0;
    level.set(p, l);
    const parts = p.split('.');
    if (parts.length > 1) {
      const parent = parts.slice(0, -1).join('.');
      level.set(parent, Math.max(level.get(parent) ?? 0, l + 1));
    }
  }
  const boxes: ModuleBox[] = [];
  for (const [path, b] of acc) {
    if (b.count < 2) continue;
    const lv = level.get(path) ?? 0;
    const pad = 8 + 8 * lv;
    // Each nesting level gets its own header row above the inner boxes.
    boxes.push({ path, type: h.modules.get(path)?.type ?? '', x0: b.x0 - pad, y0: b.y0 - 8 - 16 * (lv + 1), x1: b.x1 + pad, y1: b.y1 + pad, depth: path.split('.').length });
  }
  return boxes.sort((a, b) => a.depth - b.depth);
}

export function buildScene(graph: Pick<ArchGraphJson, 'nodes'>, h: Hierarchy, vg: VisibleGraph, labels: NodeLabel[], sizes: { widths: Float32Array; heights: Float32Array }, layout: LayoutResult): Scene {
  const n = vg.nodes.length;
  const m = vg.edges.length;
  const edgeSrc = new Int32Array(m);
  const edgeDst = new Int32Array(m);
  const edgeBoxes = new Float32Array(4 * m);
  const edgeLabel = (i: number): string => formatShape(vg.edges[i].shape) + (vg.edges[i].count > 1 ? ` ×${vg.edges[i].count}` : '');
  for (let i = 0; i < m; i++) {
    const e = vg.edges[i];
    edgeSrc[i] = e.source;
    edgeDst[i] = e.target;
    const pts = layout.routes[i]?.points ?? [];
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let j = 0; j < pts.length; j += 2) {
      const x = pts[j], y = pts[j + 1];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    edgeBoxes[4 * i] = x0; edgeBoxes[4 * i + 1] = y0; edgeBoxes[4 * i + 2] = x1; edgeBoxes[4 * i + 3] = y1;
  }
  const grid = new SpatialGrid(256);
  for (let i = 0; i < n; i++) {
    const x = layout.xs[i], y = layout.ys[i], w = sizes.widths[i] / 2, hh = sizes.heights[i] / 2;
    grid.insert(i, x - w, y - hh, x + w, y + hh);
  }
  return {
    n, labels, xs: layout.xs, ys: layout.ys, ws: sizes.widths, hs: sizes.heights,
    routes: layout.routes, edgeSrc, edgeDst, edgeLabel, edgeBoxes,
    boxes: moduleBoxes(h, vg, layout.xs, layout.ys, sizes.widths, sizes.heights),
    width: layout.width, height: layout.height, grid,
  };
}

/** The node under a world point, or -1. */
export function hitNode(scene: Scene, x: number, y: number): number {
  let hit = -1;
  scene.grid.query(x, y, x, y, (i) => {
    if (Math.abs(x - scene.xs[i]) <= scene.ws[i] / 2 && Math.abs(y - scene.ys[i]) <= scene.hs[i] / 2) hit = i;
  });
  return hit;
}

/** The module box whose header strip is under a world point (innermost first), or null. */
export function hitBoxHeader(scene: Scene, x: number, y: number): ModuleBox | null {
  for (let i = scene.boxes.length - 1; i >= 0; i--) {
    const b = scene.boxes[i];
    if (x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y0 + 16) return b;
  }
  return null;
}

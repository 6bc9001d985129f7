/**
 * Canvas 2D drawing of a scene with viewport culling and level of detail: at low zoom nodes are plain
 * rectangles batched by colour and labels are skipped; edge shape labels appear only when zoomed in.
 * `drawScene` draws into any 2D context (the screen, or an offscreen canvas for PNG export).
 */
import type { ThemeColors } from './colors';
import type { Scene } from './scene';
import { visibleWorld, type Viewport } from './viewport';

export interface DrawState {
  selected: number;
  highlighted: ReadonlySet<number>;
  matches: ReadonlySet<number>;
  hoveredBox: string | null;
}

export interface DrawStats {
  nodes: number;
  edges: number;
}

function textColorFor(hex: string): string {
  const v = parseInt(hex.slice(1), 16);
  const r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#111' : '#fff';
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

function traceRoute(ctx: CanvasRenderingContext2D, pts: number[], curve: boolean): void {
  if (pts.length < 4) return;
  ctx.moveTo(pts[0], pts[1]);
  if (curve && pts.length === 8) {
    ctx.bezierCurveTo(pts[2], pts[3], pts[4], pts[5], pts[6], pts[7]);
    return;
  }
  if (pts.length === 4) { ctx.lineTo(pts[2], pts[3]); return; }
  // Polyline with rounded corners.
  for (let j = 2; j < pts.length - 2; j += 2) ctx.arcTo(pts[j], pts[j + 1], pts[j + 2], pts[j + 3], 10);
  ctx.lineTo(pts[pts.length - 2], pts[pts.length - 1]);
}

/** The end point and incoming direction of a route (for the arrow head). */
function routeEnd(pts: number[]): [number, number, number, number] {
  const k = pts.length;
  let dx = pts[k - 2] - pts[k - 4];
  let dy = pts[k - 1] - pts[k - 3];
  const l = Math.hypot(dx, dy) || 1;
  dx /= l; dy /= l;
  return [pts[k - 2], pts[k - 1], dx, dy];
}

/** Midpoint of a route, for its label. */
function routeMid(pts: number[], curve: boolean): [number, number] {
  if (curve && pts.length === 8) {
    const t = 0.5, u = 0.5;
    return [u * u * u * pts[0] + 3 * u * u * t * pts[2] + 3 * u * t * t * pts[4] + t * t * t * pts[6], u * u * u * pts[1] + 3 * u * u * t * pts[3] + 3 * u * t * t * pts[5] + t * t * t * pts[7]];
  }
  const k = Math.floor(pts.length / 4) * 2;
  if (pts.length / 2 % 2 === 0) return [(pts[k - 2] + pts[k]) / 2, (pts[k - 1] + pts[k + 1]) / 2];
  return [pts[k], pts[k + 1]];
}

export function drawScene(ctx: CanvasRenderingContext2D, scene: Scene, view: Viewport, width: number, height: number, theme: ThemeColors, state: DrawState, pixelRatio: number): DrawStats {
  ctx.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  ctx.setTransform(view.scale * pixelRatio, 0, 0, view.scale * pixelRatio, view.tx * pixelRatio, view.ty * pixelRatio);
  const [wx0, wy0, wx1, wy1] = visibleWorld(view, width, height);
  const s = view.scale;
  const px = 1 / s; // one screen pixel in world units

  // Module boxes.
  if (s > 0.08) {
    for (const b of scene.boxes) {
      if (b.x1 < wx0 || b.x0 > wx1 || b.y1 < wy0 || b.y0 > wy1) continue;
      ctx.beginPath();
      roundRect(ctx, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0, 8);
      ctx.fillStyle = theme.moduleBox;
      ctx.fill();
      ctx.lineWidth = (state.hoveredBox === b.path ? 2 : 1) * px;
      ctx.strokeStyle = state.hoveredBox === b.path ? theme.selection : theme.moduleBoxBorder;
      ctx.stroke();
      if (s > 0.35) {
        ctx.fillStyle = theme.edgeLabel;
        ctx.font = `11px ${theme.font}`;
        ctx.textBaseline = 'top';
        ctx.textAlign = 'left';
        ctx.fillText(`▾ ${b.path}${b.type ? ` (${b.type})` : ''}`, b.x0 + 6, b.y0 + 3, b.x1 - b.x0 - 12);
      }
    }
  }

  // Edges: one batched path; culled by bounding box.
  const visibleEdges: number[] = [];
  const eb = scene.edgeBoxes;
  for (let i = 0; i < scene.edgeSrc.length; i++) {
    if (eb[4 * i + 2] < wx0 || eb[4 * i] > wx1 || eb[4 * i + 3] < wy0 || eb[4 * i + 1] > wy1) continue;
    visibleEdges.push(i);
  }
  ctx.lineWidth = Math.max(1 * px, s < 0.2 ? 0.5 * px : 1.2);
  ctx.strokeStyle = theme.edge;
  ctx.beginPath();
  for (const i of visibleEdges) traceRoute(ctx, scene.routes[i].points, scene.routes[i].curve);
  ctx.stroke();
  const emphasised = (i: number): boolean => state.selected >= 0 && (scene.edgeSrc[i] === state.selected || scene.edgeDst[i] === state.selected);
  if (state.selected >= 0) {
    ctx.strokeStyle = theme.selection;
    ctx.lineWidth = Math.max(2 * px, 2);
    ctx.beginPath();
    for (const i of visibleEdges) if (emphasised(i)) traceRoute(ctx, scene.routes[i].points, scene.routes[i].curve);
    ctx.stroke();
  }
  if (s > 0.3) {
    ctx.fillStyle = theme.edge;
    ctx.beginPath();
    for (const i of visibleEdges) {
      const pts = scene.routes[i].points;
      if (pts.length < 4) continue;
      const [x, y, dx, dy] = routeEnd(pts);
      const a = 7;
      ctx.moveTo(x, y);
      ctx.lineTo(x - dx * a - dy * a * 0.45, y - dy * a + dx * a * 0.45);
      ctx.lineTo(x - dx * a + dy * a * 0.45, y - dy * a - dx * a * 0.45);
      ctx.closePath();
    }
    ctx.fill();
  }

  // Nodes: culled through the grid.
  const seen = new Uint8Array(scene.n);
  const visibleNodes: number[] = [];
  scene.grid.query(wx0, wy0, wx1, wy1, (i) => {
    if (seen[i]) return;
    seen[i] = 1;
    const hw = scene.ws[i] / 2, hh = scene.hs[i] / 2;
    if (scene.xs[i] + hw < wx0 || scene.xs[i] - hw > wx1 || scene.ys[i] + hh < wy0 || scene.ys[i] - hh > wy1) return;
    visibleNodes.push(i);
  });
  const byColor = new Map<string, number[]>();
  for (const i of visibleNodes) {
    const c = scene.labels[i].color;
    let l = byColor.get(c);
    if (!l) { l = []; byColor.set(c, l); }
    l.push(i);
  }
  const detailed = s > 0.25;
  for (const [color, list] of byColor) {
    ctx.fillStyle = color;
    ctx.beginPath();
    for (const i of list) {
      const w = scene.ws[i], h = scene.hs[i];
      if (detailed) roundRect(ctx, scene.xs[i] - w / 2, scene.ys[i] - h / 2, w, h, 5);
      else ctx.rect(scene.xs[i] - w / 2, scene.ys[i] - h / 2, w, h);
    }
    ctx.fill();
    if (detailed) {
      ctx.strokeStyle = theme.nodeBorder;
      ctx.lineWidth = px;
      ctx.stroke();
    }
  }
  // Group nodes get a double border so collapsed modules read as containers.
  if (detailed) {
    ctx.strokeStyle = theme.moduleBoxBorder;
    ctx.lineWidth = 2 * px;
    ctx.beginPath();
    for (const i of visibleNodes) if (scene.labels[i].group) roundRect(ctx, scene.xs[i] - scene.ws[i] / 2 + 3, scene.ys[i] - scene.hs[i] / 2 + 3, scene.ws[i] - 6, scene.hs[i] - 6, 4);
    ctx.stroke();
  }
  // Labels.
  if (s > 0.4) {
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (const i of visibleNodes) {
      const l = scene.labels[i];
      const x = scene.xs[i], y = scene.ys[i], w = scene.ws[i] - 10;
      ctx.fillStyle = textColorFor(l.color);
      const lines = [l.title, ...(s > 0.55 ? [l.subtitle, l.detail].filter(Boolean) : [])];
      const top = y - ((lines.length - 1) * 14) / 2;
      lines.forEach((text, k) => {
        ctx.font = k === 0 ? `600 12px ${theme.font}` : `11px ${theme.font}`;
        ctx.fillText(text, x, top + k * 14, w);
      });
    }
  }
  // Selection, cursor highlight and search matches.
  const outline = (set: Iterable<number>, color: string, width: number, inset: number): void => {
    ctx.strokeStyle = color;
    ctx.lineWidth = Math.max(width * px, width / 2);
    ctx.beginPath();
    for (const i of set) {
      const w = scene.ws[i] + 2 * inset * px, h = scene.hs[i] + 2 * inset * px;
      roundRect(ctx, scene.xs[i] - w / 2, scene.ys[i] - h / 2, w, h, 6);
    }
    ctx.stroke();
  };
  if (state.matches.size) outline(state.matches, theme.searchMatch, 2, 3);
  if (state.highlighted.size) outline(state.highlighted, theme.highlight, 3, 4);
  if (state.selected >= 0) outline([state.selected], theme.selection, 3, 2);
  // Edge labels (tensor shapes) when zoomed in enough to read them.
  if (s > 0.8) {
    ctx.font = `10px ${theme.font}`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = theme.edgeLabel;
    for (const i of visibleEdges) {
      const r = scene.routes[i];
      if (r.points.length < 4) continue;
      const [x, y] = routeMid(r.points, r.curve);
      ctx.fillText(scene.edgeLabel(i), x + 4, y);
    }
  }
  return { nodes: visibleNodes.length, edges: visibleEdges.length };
}

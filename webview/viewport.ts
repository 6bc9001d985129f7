/** Pan/zoom transform: screen = world * scale + (tx, ty), in CSS pixels. Pure. */
export interface Viewport {
  scale: number;
  tx: number;
  ty: number;
}

export const MIN_SCALE = 0.01;
export const MAX_SCALE = 4;

export const clampScale = (s: number): number => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));

/** Zoom by `factor` keeping the world point under the screen point (sx, sy) fixed. */
export function zoomAt(v: Viewport, factor: number, sx: number, sy: number): Viewport {
  const scale = clampScale(v.scale * factor);
  const k = scale / v.scale;
  return { scale, tx: sx - (sx - v.tx) * k, ty: sy - (sy - v.ty) * k };
}

/** Fit a world rectangle into a screen of w × h with a margin; never zooms in beyond 1. */
export function fitRect(x0: number, y0: number, x1: number, y1: number, w: number, h: number, margin = 16): Viewport {
  const bw = Math.max(1, x1 - x0);
  const bh = Math.max(1, y1 - y0);
  const scale = clampScale(Math.min((w - 2 * margin) / bw, (h - 2 * margin) / bh, 1));
  return { scale, tx: (w - bw * scale) / 2 - x0 * scale, ty: (h - bh * scale) / 2 - y0 * scale };
}

/** Centre a world point on screen at the given scale. */
export function centreOn(x: number, y: number, w: number, h: number, scale: number): Viewport {
  return { scale, tx: w / 2 - x * scale, ty: h / 2 - y * scale };
}

/** The world rectangle visible on screen. */
export function visibleWorld(v: Viewport, w: number, h: number): [number, number, number, number] {
  return [-v.tx / v.scale, -v.ty / v.scale, (w - v.tx) / v.scale, (h - v.ty) / v.scale];
}

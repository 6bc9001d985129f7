/**
 * The overview for big graphs: every node as a dot (rendered once per scene into a bitmap) and the
 * viewport as a rectangle; click or drag in it to move the view.
 */
import type { Scene } from './scene';
import type { ThemeColors } from './colors';
import type { Viewport } from './viewport';
import { visibleWorld } from './viewport';

export class Minimap {
  private bitmap: HTMLCanvasElement | null = null;
  private scale = 1;
  private ox = 0;
  private oy = 0;
  private dragging = false;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly onMove: (worldX: number, worldY: number) => void) {
    canvas.addEventListener('pointerdown', (e) => { this.dragging = true; canvas.setPointerCapture(e.pointerId); this.move(e); e.stopPropagation(); });
    canvas.addEventListener('pointermove', (e) => { if (this.dragging) this.move(e); });
    canvas.addEventListener('pointerup', (e) => { this.dragging = false; canvas.releasePointerCapture(e.pointerId); });
  }

  private move(e: PointerEvent): void {
    const r = this.canvas.getBoundingClientRect();
    this.onMove((e.clientX - r.left - this.ox) / this.scale, (e.clientY - r.top - this.oy) / this.scale);
  }

  setScene(scene: Scene | null, theme: ThemeColors): void {
    this.bitmap = null;
    if (!scene) return;
    const w = this.canvas.clientWidth || 160;
    const h = this.canvas.clientHeight || 120;
    const dpr = window.devicePixelRatio || 1;
    this.scale = Math.min(w / Math.max(scene.width, 1), h / Math.max(scene.height, 1));
    this.ox = (w - scene.width * this.scale) / 2;
    this.oy = (h - scene.height * this.scale) / 2;
    const bm = document.createElement('canvas');
    bm.width = Math.round(w * dpr);
    bm.height = Math.round(h * dpr);
    const ctx = bm.getContext('2d')!;
    ctx.setTransform(dpr * this.scale, 0, 0, dpr * this.scale, dpr * this.ox, dpr * this.oy);
    const min = 1.2 / this.scale;
    for (let i = 0; i < scene.n; i++) {
      ctx.fillStyle = scene.labels[i].color;
      ctx.fillRect(scene.xs[i] - Math.max(scene.ws[i], min) / 2, scene.ys[i] - Math.max(scene.hs[i], min) / 2, Math.max(scene.ws[i], min), Math.max(scene.hs[i], min));
    }
    void theme;
    this.bitmap = bm;
  }

  draw(view: Viewport, screenW: number, screenH: number, theme: ThemeColors): void {
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(w * dpr)) this.canvas.width = Math.round(w * dpr);
    if (this.canvas.height !== Math.round(h * dpr)) this.canvas.height = Math.round(h * dpr);
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.bitmap) return;
    ctx.drawImage(this.bitmap, 0, 0);
    const [x0, y0, x1, y1] = visibleWorld(view, screenW, screenH);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.strokeStyle = theme.selection;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(this.ox + x0 * this.scale, this.oy + y0 * this.scale, (x1 - x0) * this.scale, (y1 - y0) * this.scale);
  }
}

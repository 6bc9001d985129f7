/**
 * The panel's side of the layout worker. The worker script is loaded through a Blob URL (webviews cannot
 * start a worker from their resource origin directly); if no worker can be started the fast layout runs
 * on the UI thread instead, and ELK is not used.
 */
import { fastLayout } from './fastLayout';
import type { Direction, LayoutRequest, LayoutResult } from './layoutTypes';

export class LayoutClient {
  private seq = 0;
  private readonly pending = new Map<number, (r: LayoutResult) => void>();

  private worker: Worker | null;

  private constructor(private readonly spawn: (() => Worker) | null, readonly workerError: string | null) {
    this.worker = spawn ? this.start(spawn) : null;
  }

  private start(spawn: () => Worker): Worker {
    const w = spawn();
    w.addEventListener('message', (e: MessageEvent<LayoutResult>) => {
      const done = this.pending.get(e.data.id);
      if (e.data.final) this.pending.delete(e.data.id);
      done?.(e.data);
    });
    return w;
  }

  static async create(workerUrl: string | undefined): Promise<LayoutClient> {
    if (!workerUrl) return new LayoutClient(null, 'no layout worker URL');
    let firstError = '';
    try {
      const res = await fetch(workerUrl);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const blob = new Blob([await res.text()], { type: 'text/javascript' });
      const url = URL.createObjectURL(blob);
      return new LayoutClient(() => new Worker(url), null);
    } catch (err) {
      firstError = String(err);
    }
    try {
      const probe = new Worker(workerUrl);
      let first: Worker | null = probe;
      return new LayoutClient(() => { const w = first ?? new Worker(workerUrl); first = null; return w; }, null);
    } catch (err) {
      return new LayoutClient(null, `layout worker unavailable (${firstError}; ${String(err)}); using the fast layout on the UI thread`);
    }
  }

  get hasWorker(): boolean { return this.worker !== null; }

  /**
   * Lay a graph out; `onResult` gets the fast layout first and, for small graphs, ELK's refinement after
   * (`final` tells which is last). A new request cancels the previous one.
   */
  layout(widths: Float32Array, heights: Float32Array, edges: Int32Array, direction: Direction, elkMaxNodes: number, onResult: (r: LayoutResult) => void): void {
    const id = ++this.seq;
    if (!this.worker) {
      const t0 = performance.now();
      const r = fastLayout({ widths, heights, edges, direction });
      queueMicrotask(() => onResult({ id, xs: r.xs, ys: r.ys, routes: r.routes, width: r.width, height: r.height, engine: 'fast', ms: performance.now() - t0, final: true }));
      return;
    }
    const req: LayoutRequest = { id, direction, widths, heights, edges, elkMaxNodes };
    // A layout still running is stale now: drop it (ELK cannot be interrupted) and start a fresh worker.
    if (this.pending.size && this.spawn) {
      this.worker.terminate();
      this.pending.clear();
      this.worker = this.start(this.spawn);
    }
    this.pending.set(id, onResult);
    this.worker.postMessage(req);
  }
}

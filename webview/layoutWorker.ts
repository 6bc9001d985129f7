/**
 * The layout web worker: ELK layered for graphs up to `elkMaxNodes`, the fast layered layout beyond.
 * Runs off the UI thread; one request at a time, results carry the request id (stale ones are dropped
 * by the panel).
 */
import type ELKConstructor from 'elkjs/lib/elk-api';
import type { ElkNode } from 'elkjs/lib/elk-api';
import { fastLayout } from './fastLayout';
import type { EdgeRoute, LayoutRequest, LayoutResult } from './layoutTypes';

declare const self: DedicatedWorkerGlobalScope;
declare function require(id: string): unknown;

/**
 * ELK (1.6 MB of compiled Java) is initialised on first use, not at worker start: the fast layout of the
 * first graph must not wait for it. esbuild bundles the `require` and runs the module only when called.
 */
let elkInstance: InstanceType<typeof ELKConstructor> | null = null;
function elk(): InstanceType<typeof ELKConstructor> {
  if (!elkInstance) {
    const mod = require('elkjs/lib/elk.bundled.js') as { default?: typeof ELKConstructor } & typeof ELKConstructor;
    const ELK = mod.default ?? mod;
    // elk.bundled.js, loaded inside a worker, installs its own dispatcher as `self.onmessage`; we own this worker.
    self.onmessage = null;
    elkInstance = new ELK();
  }
  return elkInstance;
}

async function elkLayout(req: LayoutRequest): Promise<Omit<LayoutResult, 'id' | 'ms' | 'final'>> {
  const n = req.widths.length;
  const children = Array.from({ length: n }, (_, i) => ({ id: String(i), width: req.widths[i], height: req.heights[i] }));
  const edges = [];
  for (let i = 0; i < req.edges.length / 2; i++) edges.push({ id: `e${i}`, sources: [String(req.edges[2 * i])], targets: [String(req.edges[2 * i + 1])] });
  const root = await elk().layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': req.direction === 'TB' ? 'DOWN' : 'RIGHT',
      'elk.edgeRouting': 'POLYLINE',
      'elk.layered.spacing.nodeNodeBetweenLayers': req.direction === 'TB' ? '40' : '60',
      'elk.spacing.nodeNode': req.direction === 'TB' ? '28' : '18',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.thoroughness': '3',
      'elk.padding': '[top=24,left=24,bottom=24,right=24]',
    },
    children,
    edges,
  }) as ElkNode;
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  for (const c of root.children ?? []) {
    const i = Number(c.id);
    xs[i] = (c.x ?? 0) + req.widths[i] / 2;
    ys[i] = (c.y ?? 0) + req.heights[i] / 2;
  }
  const routes: EdgeRoute[] = [];
  for (const e of (root.edges ?? []) as { id: string; sections?: { startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: { x: number; y: number }[] }[] }[]) {
    const i = Number(e.id.slice(1));
    const s = e.sections?.[0];
    const points: number[] = [];
    if (s) {
      points.push(s.startPoint.x, s.startPoint.y);
      for (const b of s.bendPoints ?? []) points.push(b.x, b.y);
      points.push(s.endPoint.x, s.endPoint.y);
    }
    routes[i] = { points, curve: false };
  }
  return { xs, ys, routes, width: root.width ?? 0, height: root.height ?? 0, engine: 'elk' };
}

function fast(req: LayoutRequest): Omit<LayoutResult, 'id' | 'ms' | 'final'> {
  const r = fastLayout({ widths: req.widths, heights: req.heights, edges: req.edges, direction: req.direction });
  return { xs: r.xs, ys: r.ys, routes: r.routes, width: r.width, height: r.height, engine: 'fast' };
}

self.addEventListener('message', (ev: MessageEvent<LayoutRequest>) => {
  const req = ev.data;
  const t0 = performance.now();
  // ELK's time grows fast with edges too (DenseNet's concatenations): bound both.
  const useElk = req.widths.length <= req.elkMaxNodes && req.edges.length / 2 <= req.elkMaxNodes * 1.5;
  // The fast layout always comes first, so the first frame never waits for ELK; ELK then refines small graphs.
  const quick: LayoutResult = { id: req.id, ms: performance.now() - t0, ...fast(req), final: !useElk };
  quick.ms = performance.now() - t0;
  self.postMessage(quick, [quick.xs.buffer, quick.ys.buffer]);
  if (!useElk) return;
  const t1 = performance.now();
  void elkLayout(req)
    .then((r): LayoutResult => ({ id: req.id, ms: performance.now() - t1, ...r, final: true }))
    .catch((err: unknown): LayoutResult => ({ id: req.id, ms: performance.now() - t1, ...fast(req), final: true, error: `ELK failed, fast layout kept: ${String(err)}` }))
    .then((result) => self.postMessage(result, [result.xs.buffer, result.ys.buffer]));
});

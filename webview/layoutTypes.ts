/** Messages between the panel and its layout worker (internal to the webview). */

export type Direction = 'TB' | 'LR';

export interface LayoutRequest {
  id: number;
  direction: Direction;
  /** Node sizes, in visible-graph order (execution order). */
  widths: Float32Array;
  heights: Float32Array;
  /** Edge endpoints as visible node indexes: [s0, t0, s1, t1, ...]. */
  edges: Int32Array;
  /** Use ELK's layered algorithm when the graph has at most this many nodes and edges; the fast layered layout otherwise. */
  elkMaxNodes: number;
}

export interface EdgeRoute {
  /** Flat [x0, y0, x1, y1, ...]. */
  points: number[];
  /** true: the four points are a cubic Bézier; false: a polyline. */
  curve: boolean;
}

export interface LayoutResult {
  id: number;
  /** Node centres. */
  xs: Float32Array;
  ys: Float32Array;
  routes: EdgeRoute[];
  width: number;
  height: number;
  engine: 'elk' | 'fast';
  ms: number;
  /** False for the quick first layout of a graph that ELK will refine (a second result follows). */
  final: boolean;
  error?: string;
}

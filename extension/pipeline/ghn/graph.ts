/** The GHN's view of a model: the graph ppuda's `Graph` builds (doc §3), plus the parameter mapping (§4). */

export interface GhnNode {
  /** Primitive id (see primitives.ts). */
  op: number;
  /** ppuda's traced name: the parameter's qualified name, the autograd function class, or 'input'. */
  name: string;
  /** Shape fed to the shape encoder: the parameter shape, [1,1,kh,kw] for pools, null otherwise. */
  shape: number[] | null;
  /** For parameter and pool nodes: the `node_info` name used for matching (§3.7). */
  infoName?: string;
  /** Module path of a parameter node. */
  module?: string;
}

export interface GhnGraph {
  nodes: GhnNode[];
  /** [src, dst, weight] triples in row-major adjacency order; weight 1 = real edge, ≥ 2 virtual. */
  edges: Int32Array;
}

/** One parameter the GHN predicts, in the reference's decoder-call order. */
export interface PredictTarget {
  node: number;
  /** state_dict key. */
  param: string;
  shape: number[];
  /** `.weight`-like (BN/LN gain, conv/linear weight) versus bias. */
  isWeight: boolean;
  /** Decoder shape key (§4). */
  key: number[];
}

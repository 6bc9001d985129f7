/** Loading the GHN-2 reference fixtures (../../../../shared/ghn2-reference, see its README). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, type StTensor } from '../../../../extension/pipeline/formats/safetensors';
import type { GhnGraph, PredictTarget } from '../../../../extension/pipeline/ghn/graph';
import { shapeKey } from '../../../../extension/pipeline/ghn/shapes';

export const REF_DIR = process.env.GHN2_REFERENCE_DIR ?? '/work/shared/ghn2-reference';
export const FIXTURES = [
  'cifar10__rescat_cnn', 'cifar10__mlp', 'cifar10__deepnets_style', 'cifar10__tiny_vit', 'cifar10__resnet18',
  'imagenet__rescat_cnn', 'imagenet__tiny_vit', 'imagenet__resnet18',
];
export const haveFixtures = (): boolean => existsSync(join(REF_DIR, 'cifar10__mlp.graph.json'));

export interface FixtureNode {
  index: number; op: string; op_id: number; traced_name: string; shape: number[] | null; shape_ind: number[];
  node_info_name?: string; predicts?: string[]; group_key?: number[]; last_weight?: boolean; last_bias?: boolean;
}
export interface FixtureParam { shape: number[]; stored: 'full' | 'block'; stored_shape: number[]; sum: number; sumsq: number; sumabs: number; min: number; max: number; numel: number }
export interface FixtureGraph {
  model: string; ghn_config: 'cifar10' | 'imagenet'; ghn_config_values: { max_shape: number[]; num_classes: number };
  nodes: FixtureNode[]; edges: [number, number, number][];
  decoder_calls: { param: string; raw_shape: number[]; target_shape: number[] }[];
  predicted_params: Record<string, FixtureParam>;
  buffers_not_predicted: string[];
}

export interface Fixture {
  tag: string;
  json: FixtureGraph;
  inter: Map<string, StTensor>;
  params: Map<string, StTensor>;
  ghnSafetensors: string;
}

export function loadFixture(tag: string): Fixture {
  const json = JSON.parse(readFileSync(join(REF_DIR, `${tag}.graph.json`), 'utf8')) as FixtureGraph;
  return {
    tag,
    json,
    inter: readSafetensors(join(REF_DIR, `${tag}.intermediates.safetensors`)).tensors,
    params: readSafetensors(join(REF_DIR, `${tag}.params.safetensors`)).tensors,
    ghnSafetensors: join(REF_DIR, `ghn2_${json.ghn_config}_seed0.safetensors`),
  };
}

/** The GhnGraph stored in a fixture (node types, shapes, edges), as the engine's input. */
export function fixtureGraph(f: Fixture): GhnGraph {
  return {
    nodes: f.json.nodes.map((n) => ({ op: n.op_id, name: n.traced_name, shape: n.shape, infoName: n.node_info_name })),
    edges: Int32Array.from(f.json.edges.flat()),
  };
}

/** Targets in decoder-call order; keys computed by our shapeKey (the fixture's group_key is checked separately). */
export function fixtureTargets(f: Fixture): PredictTarget[] {
  const byParam = new Map<string, FixtureNode>();
  for (const n of f.json.nodes) for (const p of n.predicts ?? []) byParam.set(p, n);
  const N = f.json.nodes.length;
  return f.json.decoder_calls.map((c) => {
    const n = byParam.get(c.param)!;
    return {
      node: n.index,
      param: c.param,
      shape: f.json.predicted_params[c.param].shape,
      isWeight: !/bias$/.test(c.param),
      key: shapeKey(n.shape!, f.json.ghn_config_values.max_shape, n.index === N - 2, n.index === N - 1),
    };
  });
}

export function toFloat(t: StTensor): Float32Array {
  return t.data as Float32Array;
}

/** max |a-b| and the worst violation of |a-b| <= atol + rtol·|b| (≤ 1 passes). */
export function compare(a: ArrayLike<number>, b: ArrayLike<number>, atol = 1e-6, rtol = 1e-4): { maxAbs: number; maxRel: number; worst: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let maxAbs = 0, maxRel = 0, worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= maxAbs)) maxAbs = d;
    const r = d / Math.max(Math.abs(b[i]), 1e-30);
    if (d > 0 && r > maxRel) maxRel = r;
    const v = d / (atol + rtol * Math.abs(b[i]));
    if (!(v <= worst)) worst = v;
  }
  return { maxAbs, maxRel, worst };
}

/** The leading block [:min(d0,64), :min(d1,64), ...] of a full tensor (how resnet18 fixtures are stored). */
export function leadingBlock(full: Float32Array, shape: number[], stored: number[]): Float32Array {
  if (shape.length < 2) return full;
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const out = new Float32Array(stored.reduce((a, b) => a * b, 1));
  for (let o = 0; o < stored[0]; o++) for (let i = 0; i < stored[1]; i++) {
    out.set(full.subarray((o * shape[1] + i) * inner, (o * shape[1] + i + 1) * inner), (o * stored[1] + i) * inner);
  }
  return out;
}

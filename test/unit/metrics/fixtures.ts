/** Hand-built architecture graphs for the metrics tests (no interpreter involved). */
import { MultiDirectedGraph } from 'graphology';
import type { ArchGraph, ArchGraphJson, ModuleInfo, OpNode, ParamTensor, TensorShape } from '../../../extension/pipeline/arch/types';

export function p(name: string, shape: number[], role: 'parameter' | 'buffer' = 'parameter', dtype = 'float32'): ParamTensor {
  return { name, shape, role, trainable: role === 'parameter', persistent: true, dtype };
}

export function node(id: string, op: string, category: OpNode['category'], kind: OpNode['kind'], modulePath: string,
  inputShapes: TensorShape[], outputShapes: TensorShape[], extra: Partial<OpNode> = {}): OpNode {
  return { id, op, category, kind, modulePath, attrs: {}, inputShapes, outputShapes, params: [], macs: 0, macsExact: true, ...extra };
}

const A: TensorShape = [1, 4, 8, 8];

/**
 * input[1,3,8,8] → conv1 (3→4, k3, bias) → relu → block.0 (4→4, k3, no bias) → block.1 (BatchNorm2d)
 *   → add(relu, bn) → flatten → fc (256→10) → output
 */
export function residualNet(): ArchGraphJson {
  const conv1 = [p('conv1.weight', [4, 3, 3, 3]), p('conv1.bias', [4])];
  const conv2 = [p('block.0.weight', [4, 4, 3, 3])];
  const bn = [p('block.1.weight', [4]), p('block.1.bias', [4]), p('block.1.running_mean', [4], 'buffer'),
    p('block.1.running_var', [4], 'buffer'), p('block.1.num_batches_tracked', [], 'buffer', 'int64')];
  const fc = [p('fc.weight', [10, 256]), p('fc.bias', [10])];
  const modules: ModuleInfo[] = [
    { path: '', type: 'Net', children: ['conv1', 'block', 'fc'], params: [], isLeaf: false },
    { path: 'conv1', type: 'Conv2d', children: [], params: conv1, isLeaf: true },
    { path: 'block', type: 'Sequential', children: ['block.0', 'block.1'], params: [], isLeaf: false },
    { path: 'block.0', type: 'Conv2d', children: [], params: conv2, isLeaf: true },
    { path: 'block.1', type: 'BatchNorm2d', children: [], params: bn, isLeaf: true },
    { path: 'fc', type: 'Linear', children: [], params: fc, isLeaf: true },
  ];
  const nodes: OpNode[] = [
    node('n0', 'input', 'input', 'input', '', [], [[1, 3, 8, 8]]),
    node('n1', 'Conv2d', 'conv', 'module', 'conv1', [[1, 3, 8, 8]], [A], { params: conv1, macs: 256 * 27, moduleType: 'Conv2d' }),
    node('n2', 'relu', 'activation', 'function', '', [A], [A]),
    node('n3', 'Conv2d', 'conv', 'module', 'block.0', [A], [A], { params: conv2, macs: 256 * 36, moduleType: 'Conv2d' }),
    node('n4', 'BatchNorm2d', 'norm', 'module', 'block.1', [A], [A], { params: bn, moduleType: 'BatchNorm2d' }),
    node('n5', 'add', 'elementwise', 'operator', '', [A, A], [A]),
    node('n6', 'flatten', 'shape', 'method', '', [A], [[1, 256]]),
    node('n7', 'Linear', 'linear', 'module', 'fc', [[1, 256]], [[1, 10]], { params: fc, macs: 2560, moduleType: 'Linear' }),
    node('n8', 'output', 'output', 'output', '', [[1, 10]], []),
  ];
  const e = (source: string, target: string, dstInput: number, shape: TensorShape) => ({ source, target, srcOutput: 0, dstInput, shape });
  const edges = [
    e('n0', 'n1', 0, [1, 3, 8, 8]), e('n1', 'n2', 0, A), e('n2', 'n3', 0, A), e('n3', 'n4', 0, A),
    e('n2', 'n5', 0, A), e('n4', 'n5', 1, A), e('n5', 'n6', 0, A), e('n6', 'n7', 0, [1, 256]), e('n7', 'n8', 0, [1, 10]),
  ];
  const stateDict = [...conv1, ...conv2, ...bn, ...fc];
  const total = stateDict.filter((t) => t.role === 'parameter').reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  return {
    entry: 'Net()', modelType: 'Net', inputShape: [1, 3, 8, 8], outputShape: [1, 10], modules, stateDict,
    totalParams: total, trainableParams: total, macs: nodes.reduce((a, n) => a + n.macs, 0), diagnostics: [], partial: false,
    nodes, edges,
  };
}

/** The same graph as a graphology ArchGraph. */
export function toGraphology(j: ArchGraphJson): ArchGraph {
  const { nodes, edges, ...attrs } = j;
  const g: ArchGraph = new MultiDirectedGraph();
  g.replaceAttributes(attrs);
  for (const n of nodes) g.addNode(n.id, n);
  for (const { source, target, ...a } of edges) g.addEdge(source, target, a);
  return g;
}

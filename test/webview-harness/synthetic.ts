/**
 * Synthetic architecture graphs for the panel benchmark and harness: a ResNet-like chain of bottleneck
 * blocks and a DenseNet-like graph (every layer of a dense block concatenates all earlier features),
 * with a module tree, shapes, params and source locations, sized to a target node count.
 */
import type { ArchGraphJson, ModuleInfo, OpCategory, OpNode, ParamTensor } from '../../extension/protocol/panel';

interface Builder {
  nodes: OpNode[];
  edges: ArchGraphJson['edges'];
  modules: Map<string, ModuleInfo>;
}

const FILE = '/synthetic/model.py';

function loc(line: number) {
  return { file: FILE, line, column: 8, endLine: line, endColumn: 40 };
}

function addModule(b: Builder, path: string, type: string, isLeaf: boolean, params: ParamTensor[] = []): void {
  if (b.modules.has(path)) return;
  const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
  if (path && !b.modules.has(parent)) addModule(b, parent, 'Sequential', false);
  b.modules.set(path, { path, type, children: [], params, isLeaf, defLoc: loc(b.modules.size) });
  if (path) b.modules.get(parent)!.children.push(path);
}

function op(b: Builder, o: Partial<OpNode> & { op: string; category: OpCategory; kind: OpNode['kind']; modulePath: string }, inputs: string[], shape: number[]): string {
  const id = `n${b.nodes.length}`;
  const node: OpNode = {
    id, attrs: {}, inputShapes: inputs.map(() => shape), outputShapes: [shape], params: [], macs: 0, macsExact: true,
    loc: loc(100 + (b.nodes.length % 400)), ...o,
  };
  b.nodes.push(node);
  inputs.forEach((src, i) => b.edges.push({ source: src, target: id, srcOutput: 0, dstInput: i, shape }));
  return id;
}

function conv(b: Builder, path: string, x: string, c: number, k: number, hw: number): string {
  const params: ParamTensor[] = [{ name: `${path}.weight`, shape: [c, c, k, k], role: 'parameter', trainable: true, persistent: true, dtype: 'float32' }];
  addModule(b, path, 'Conv2d', true, params);
  return op(b, { op: 'Conv2d', moduleType: 'Conv2d', category: 'conv', kind: 'module', modulePath: path, params, attrs: { kernel_size: [k, k], out_channels: c }, macs: c * c * k * k * hw * hw, defLoc: loc(10) }, [x], [1, c, hw, hw]);
}

function bn(b: Builder, path: string, x: string, c: number, hw: number): string {
  const params: ParamTensor[] = ['weight', 'bias'].map((n) => ({ name: `${path}.${n}`, shape: [c], role: 'parameter' as const, trainable: true, persistent: true, dtype: 'float32' }));
  addModule(b, path, 'BatchNorm2d', true, params);
  return op(b, { op: 'BatchNorm2d', moduleType: 'BatchNorm2d', category: 'norm', kind: 'module', modulePath: path, params, attrs: { num_features: c }, defLoc: loc(11) }, [x], [1, c, hw, hw]);
}

function relu(b: Builder, parent: string, x: string, c: number, hw: number): string {
  return op(b, { op: 'relu', category: 'activation', kind: 'function', modulePath: parent }, [x], [1, c, hw, hw]);
}

function finish(b: Builder, entry: string, modelType: string): ArchGraphJson {
  const stateDict = [...b.modules.values()].flatMap((m) => m.params);
  const total = stateDict.reduce((s, p) => s + p.shape.reduce((a, d) => a * d, 1), 0);
  return {
    entry, modelType, inputShape: [1, 3, 224, 224], outputShape: [1, 1000], modules: [...b.modules.values()], stateDict,
    totalParams: total, trainableParams: total, macs: b.nodes.reduce((s, n) => s + n.macs, 0), diagnostics: [], partial: false,
    nodes: b.nodes, edges: b.edges,
  };
}

/** ResNet-like: bottleneck blocks (10 ops) in stages of 8 blocks, until about `n` nodes. */
export function resnetLike(n: number): ArchGraphJson {
  const b: Builder = { nodes: [], edges: [], modules: new Map() };
  addModule(b, '', 'SyntheticResNet', false);
  let x = op(b, { op: 'input', category: 'input', kind: 'input', modulePath: '' }, [], [1, 3, 224, 224]);
  x = conv(b, 'conv1', x, 64, 7, 112);
  let block = 0;
  while (b.nodes.length < n - 12) {
    const stage = Math.floor(block / 8) + 1;
    const path = `layer${stage}.${block % 8}`;
    addModule(b, `layer${stage}`, 'Sequential', false);
    addModule(b, path, 'Bottleneck', false);
    const c = 64 * Math.min(8, stage), hw = Math.max(7, 56 >> Math.min(3, stage - 1));
    const idn = x;
    let y = conv(b, `${path}.conv1`, x, c, 1, hw); y = bn(b, `${path}.bn1`, y, c, hw); y = relu(b, path, y, c, hw);
    y = conv(b, `${path}.conv2`, y, c, 3, hw); y = bn(b, `${path}.bn2`, y, c, hw); y = relu(b, path, y, c, hw);
    y = conv(b, `${path}.conv3`, y, c, 1, hw); y = bn(b, `${path}.bn3`, y, c, hw);
    y = op(b, { op: 'add', category: 'elementwise', kind: 'operator', modulePath: path }, [y, idn], [1, c, hw, hw]);
    x = relu(b, path, y, c, hw);
    block++;
  }
  x = op(b, { op: 'adaptive_avg_pool2d', category: 'pool', kind: 'function', modulePath: '' }, [x], [1, 512, 1, 1]);
  x = op(b, { op: 'flatten', category: 'shape', kind: 'function', modulePath: '' }, [x], [1, 512]);
  const fcp: ParamTensor[] = [{ name: 'fc.weight', shape: [1000, 512], role: 'parameter', trainable: true, persistent: true, dtype: 'float32' }];
  addModule(b, 'fc', 'Linear', true, fcp);
  x = op(b, { op: 'Linear', moduleType: 'Linear', category: 'linear', kind: 'module', modulePath: 'fc', params: fcp, macs: 512000 }, [x], [1, 1000]);
  op(b, { op: 'output', category: 'output', kind: 'output', modulePath: '' }, [x], [1, 1000]);
  return finish(b, 'SyntheticResNet()', 'SyntheticResNet');
}

/** DenseNet-like: dense layers (BN-ReLU-Conv-BN-ReLU-Conv, then cat of every earlier feature in the block). */
export function densenetLike(blocks: number[] = [6, 12, 48, 32]): ArchGraphJson {
  const b: Builder = { nodes: [], edges: [], modules: new Map() };
  addModule(b, '', 'SyntheticDenseNet', false);
  let x = op(b, { op: 'input', category: 'input', kind: 'input', modulePath: '' }, [], [1, 3, 224, 224]);
  addModule(b, 'features', 'Sequential', false);
  x = conv(b, 'features.conv0', x, 64, 7, 112);
  x = bn(b, 'features.norm0', x, 64, 112);
  x = relu(b, 'features', x, 64, 112);
  blocks.forEach((layers, bi) => {
    const hw = 56 >> bi;
    const blk = `features.denseblock${bi + 1}`;
    addModule(b, blk, '_DenseBlock', false);
    const feats = [x];
    for (let l = 0; l < layers; l++) {
      const path = `${blk}.denselayer${l + 1}`;
      addModule(b, path, '_DenseLayer', false);
      let y = feats.length > 1 ? op(b, { op: 'cat', category: 'tensor', kind: 'function', modulePath: path }, [...feats], [1, 32 * feats.length, hw, hw]) : feats[0];
      y = bn(b, `${path}.norm1`, y, 128, hw); y = relu(b, path, y, 128, hw); y = conv(b, `${path}.conv1`, y, 128, 1, hw);
      y = bn(b, `${path}.norm2`, y, 128, hw); y = relu(b, path, y, 128, hw); y = conv(b, `${path}.conv2`, y, 32, 3, hw);
      feats.push(y);
    }
    x = op(b, { op: 'cat', category: 'tensor', kind: 'function', modulePath: blk }, feats, [1, 32 * feats.length, hw, hw]);
    if (bi < blocks.length - 1) {
      const t = `features.transition${bi + 1}`;
      addModule(b, t, '_Transition', false);
      x = bn(b, `${t}.norm`, x, 256, hw); x = relu(b, t, x, 256, hw); x = conv(b, `${t}.conv`, x, 128, 1, hw);
      x = op(b, { op: 'avg_pool2d', category: 'pool', kind: 'function', modulePath: t }, [x], [1, 128, hw / 2, hw / 2]);
    }
  });
  x = bn(b, 'features.norm5', x, 1920, 7);
  x = relu(b, '', x, 1920, 7);
  x = op(b, { op: 'adaptive_avg_pool2d', category: 'pool', kind: 'function', modulePath: '' }, [x], [1, 1920, 1, 1]);
  x = op(b, { op: 'flatten', category: 'shape', kind: 'function', modulePath: '' }, [x], [1, 1920]);
  const fcp: ParamTensor[] = [{ name: 'classifier.weight', shape: [1000, 1920], role: 'parameter', trainable: true, persistent: true, dtype: 'float32' }];
  addModule(b, 'classifier', 'Linear', true, fcp);
  x = op(b, { op: 'Linear', moduleType: 'Linear', category: 'linear', kind: 'module', modulePath: 'classifier', params: fcp }, [x], [1, 1000]);
  op(b, { op: 'output', category: 'output', kind: 'output', modulePath: '' }, [x], [1, 1000]);
  return finish(b, 'densenet201()', 'SyntheticDenseNet');
}

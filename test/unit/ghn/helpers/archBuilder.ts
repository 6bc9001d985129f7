/**
 * A tiny ArchGraph builder for tests: describe a model's forward pass op by op, the way the interpreter
 * would record it, without going through Python.
 */
import { MultiDirectedGraph } from 'graphology';
import type { ArchGraph, ArchGraphAttributes, ModuleInfo, OpNode, ParamTensor, TensorEdge, TensorShape } from '../../../../extension/pipeline/arch/types';

export interface T { node: string; out: number; shape: TensorShape }

export class ArchBuilder {
  readonly g: ArchGraph = new MultiDirectedGraph<OpNode, TensorEdge, ArchGraphAttributes>();
  private n = 0;
  private modules = new Map<string, ModuleInfo>();
  private stateDict: ParamTensor[] = [];

  constructor(entry: string, modelType: string) {
    this.g.replaceAttributes({
      entry, modelType, inputShape: [], outputShape: null, modules: [], stateDict: [], totalParams: 0, trainableParams: 0, macs: 0, diagnostics: [], partial: false,
    });
    this.module('', modelType, false);
  }

  private module(path: string, type: string, isLeaf: boolean, params: ParamTensor[] = []): ModuleInfo {
    let m = this.modules.get(path);
    if (!m) {
      m = { path, type, children: [], params, isLeaf };
      this.modules.set(path, m);
      if (path) {
        const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
        if (!this.modules.has(parent)) this.module(parent, 'Module', false);
        this.modules.get(parent)!.children.push(path);
      }
    }
    return m;
  }

  private add(op: Partial<OpNode> & { op: string; kind: OpNode['kind'] }, inputs: T[], outShapes: TensorShape[]): T[] {
    const id = `n${this.n++}`;
    const node: OpNode = {
      id, category: 'unknown', modulePath: '', attrs: {}, inputShapes: inputs.map((t) => t.shape), outputShapes: outShapes, params: [], macs: 0, macsExact: true, ...op,
    };
    this.g.addNode(id, node);
    inputs.forEach((t, i) => this.g.addEdge(t.node, id, { srcOutput: t.out, dstInput: i, shape: t.shape }));
    return outShapes.map((shape, out) => ({ node: id, out, shape }));
  }

  input(shape: number[]): T {
    this.g.setAttribute('inputShape', shape);
    return this.add({ op: 'input', kind: 'input', category: 'input' }, [], [shape])[0];
  }

  output(t: T): void {
    this.g.setAttribute('outputShape', t.shape);
    this.add({ op: 'output', kind: 'output', category: 'output' }, [t], []);
  }

  /** A torch.nn layer call. `params`: [name, shape] in state_dict order; BatchNorm buffers are added automatically. */
  layer(type: string, path: string, x: T | T[], outShape: TensorShape, params: [string, number[]][], attrs: Record<string, unknown> = {}): T {
    const ps: ParamTensor[] = params.map(([name, shape]) => ({ name: `${path}.${name}`, shape, role: 'parameter', trainable: true, persistent: true, dtype: 'float32' }));
    if (type.startsWith('BatchNorm')) {
      const c = params[0]?.[1][0] ?? Number(attrs.num_features);
      ps.push({ name: `${path}.running_mean`, shape: [c], role: 'buffer', trainable: false, persistent: true, dtype: 'float32' });
      ps.push({ name: `${path}.running_var`, shape: [c], role: 'buffer', trainable: false, persistent: true, dtype: 'float32' });
      ps.push({ name: `${path}.num_batches_tracked`, shape: [], role: 'buffer', trainable: false, persistent: true, dtype: 'int64' });
    }
    const existing = this.modules.get(path);
    if (!existing) {
      this.module(path, type, true, ps);
      this.stateDict.push(...ps);
    }
    const xs = Array.isArray(x) ? x : [x];
    return this.add({ op: type, kind: 'module', modulePath: path, moduleType: type, params: existing ? existing.params : ps, attrs }, xs, [outShape])[0];
  }

  conv(path: string, x: T, cin: number, cout: number, k: number, o: { stride?: number; padding?: number; dilation?: number; groups?: number; bias?: boolean } = {}): T {
    const [N, , H, W] = x.shape as number[];
    const s = o.stride ?? 1, p = o.padding ?? 0, d = o.dilation ?? 1, g = o.groups ?? 1;
    const ho = Math.floor((H + 2 * p - d * (k - 1) - 1) / s) + 1;
    const wo = Math.floor((W + 2 * p - d * (k - 1) - 1) / s) + 1;
    const params: [string, number[]][] = [['weight', [cout, cin / g, k, k]]];
    if (o.bias) params.push(['bias', [cout]]);
    return this.layer('Conv2d', path, x, [N, cout, ho, wo], params, { in_channels: cin, out_channels: cout, kernel_size: [k, k], stride: [s, s], padding: [p, p], dilation: [d, d], groups: g, bias: !!o.bias });
  }

  bn(path: string, x: T): T {
    const c = x.shape[1] as number;
    return this.layer('BatchNorm2d', path, x, x.shape, [['weight', [c]], ['bias', [c]]], { num_features: c });
  }

  linear(path: string, x: T, fin: number, fout: number, bias = true): T {
    const params: [string, number[]][] = [['weight', [fout, fin]]];
    if (bias) params.push(['bias', [fout]]);
    return this.layer('Linear', path, x, [...x.shape.slice(0, -1), fout], params, { in_features: fin, out_features: fout, bias });
  }

  layerNorm(path: string, x: T): T {
    const c = x.shape[x.shape.length - 1] as number;
    return this.layer('LayerNorm', path, x, x.shape, [['weight', [c]], ['bias', [c]]], { normalized_shape: [c] });
  }

  fn(op: string, xs: T[], outShape: TensorShape, attrs: Record<string, unknown> = {}, modulePath = ''): T {
    return this.add({ op, kind: 'function', modulePath, attrs }, xs, [outShape])[0];
  }

  pool(type: 'MaxPool2d' | 'AvgPool2d', path: string, x: T, k: number, stride: number, padding = 0): T {
    const [N, C, H, W] = x.shape as number[];
    const ho = Math.floor((H + 2 * padding - k) / stride) + 1;
    const wo = Math.floor((W + 2 * padding - k) / stride) + 1;
    return this.layer(type, path, x, [N, C, ho, wo], [], { kernel_size: [k, k], stride: [stride, stride], padding: [padding, padding] });
  }

  relu(x: T, path?: string): T {
    return path !== undefined ? this.layer('ReLU', path, x, x.shape, []) : this.fn('relu', [x], x.shape);
  }

  build(): ArchGraph {
    const mods = [...this.modules.values()];
    this.g.setAttribute('modules', mods);
    this.g.setAttribute('stateDict', this.stateDict);
    const total = this.stateDict.filter((p) => p.role === 'parameter').reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
    this.g.setAttribute('totalParams', total);
    this.g.setAttribute('trainableParams', total);
    return this.g;
  }
}

// ---------------------------------------------------------------------------------------------------
// The fixture models (see /work/shared/ghn2-reference/models/)

export function resCatCnn(numClasses: number, size: number): ArchGraph {
  const b = new ArchBuilder('ResCatCNN()', 'ResCatCNN');
  let x = b.input([1, 3, size, size]);
  x = b.relu(b.bn('bn1', b.conv('conv1', x, 3, 24, 3, { padding: 1 })));
  const y = b.bn('bn2', b.conv('conv2', x, 24, 24, 3, { padding: 1, bias: true }));
  x = b.relu(b.fn('add', [x, y], x.shape));
  const dw = b.conv('dw', x, 24, 24, 3, { padding: 1, groups: 24 });
  const dil = b.conv('dil', x, 24, 24, 3, { padding: 2, dilation: 2, groups: 24 });
  x = b.fn('cat', [dw, dil], [1, 48, size, size], { dim: 1 });
  x = b.pool('MaxPool2d', 'pool', b.relu(b.bn('bn3', b.conv('pw', x, 48, 40, 1, { bias: true }))), 2, 2);
  x = b.pool('AvgPool2d', 'avg', b.relu(b.conv('conv3', x, 40, 80, 5, { padding: 2, stride: 2 })), 3, 2, 1);
  x = b.fn('adaptive_avg_pool2d', [x], [1, 80, 1, 1], { output_size: 1 });
  x = b.fn('flatten', [x], [1, 80], { start_dim: 1 });
  x = b.layerNorm('ln', x);
  x = b.relu(b.linear('fc1', x, 80, 48, false));
  b.output(b.linear('fc2', x, 48, numClasses));
  return b.build();
}

export function mlp(numClasses: number, inDim = 3 * 32 * 32): ArchGraph {
  const b = new ArchBuilder('MLP()', 'MLP');
  let x = b.input([1, 3, 32, 32]);
  x = b.fn('flatten', [x], [1, inDim], { start_dim: 1 });
  x = b.relu(b.layerNorm('ln1', b.linear('fc1', x, inDim, 128)));
  x = b.relu(b.linear('fc2', x, 128, 96));
  b.output(b.linear('fc3', x, 96, numClasses));
  return b.build();
}

/** torchvision 0.14 resnet18; `cifar` = ppuda's adjust_net (3×3 stride-1 conv1, no max-pool, 32×32 input). */
export function resnet18(numClasses: number, cifar: boolean): ArchGraph {
  const b = new ArchBuilder('resnet18()', 'ResNet');
  const size = cifar ? 32 : 224;
  let x = b.input([1, 3, size, size]);
  x = cifar ? b.conv('conv1', x, 3, 64, 3, { padding: 1 }) : b.conv('conv1', x, 3, 64, 7, { stride: 2, padding: 3 });
  x = b.relu(b.bn('bn1', x), 'relu');
  if (cifar) x = b.layer('Identity', 'maxpool', x, x.shape, []);
  else x = b.layer('MaxPool2d', 'maxpool', x, [1, 64, x.shape[2] === 112 ? 56 : Math.floor(((x.shape[2] as number) + 2 - 3) / 2) + 1, 56], [], { kernel_size: [3, 3], stride: [2, 2], padding: [1, 1] });
  let cin = 64;
  [64, 128, 256, 512].forEach((c, li) => {
    for (let bi = 0; bi < 2; bi++) {
      const p = `layer${li + 1}.${bi}`;
      const stride = bi === 0 && li > 0 ? 2 : 1;
      const identity0 = x;
      let out = b.conv(`${p}.conv1`, x, cin, c, 3, { stride, padding: 1 });
      out = b.relu(b.bn(`${p}.bn1`, out), `${p}.relu`);
      out = b.bn(`${p}.bn2`, b.conv(`${p}.conv2`, out, c, c, 3, { padding: 1 }));
      let identity = identity0;
      if (stride !== 1 || cin !== c) identity = b.bn(`${p}.downsample.1`, b.conv(`${p}.downsample.0`, identity0, cin, c, 1, { stride }));
      out = b.fn('add', [out, identity], out.shape, {}, p);
      x = b.relu(out, `${p}.relu`);
      cin = c;
    }
  });
  x = b.layer('AdaptiveAvgPool2d', 'avgpool', x, [1, 512, 1, 1], [], { output_size: [1, 1] });
  x = b.fn('flatten', [x], [1, 512], { start_dim: 1 });
  b.output(b.linear('fc', x, 512, numClasses));
  return b.build();
}

/**
 * The fixture models from Python source, through the interpreter (extension/pipeline/python/index.ts).
 * CIFAR-10 resnet18 is adjusted like ppuda's adjust_net (models/resnet18_cifar.md) on the ArchGraph:
 * conv1 becomes a 3×3 stride-1 conv, the max-pool is replaced by an identity (removed, edges bridged).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArchGraph, OpNode } from '../../../../extension/pipeline/arch/types';
import { REF_DIR } from './fixtures';

export const TORCHVISION_RESNET = '/usr/lib/python3/dist-packages/torchvision/models/resnet.py';

export interface SourceCase {
  name: string;
  /** Fixture tag it must reproduce. */
  tag: string;
  config: 'cifar10' | 'imagenet';
  build: () => Promise<ArchGraph>;
  pyFile?: string;
  pyModule?: string;
  pyEntry: string;
  adjust?: string;
  input: number[];
}

type Build = (o: { source: string; file: string; entry: string; inputShape?: (number | null)[]; pythonPaths?: string[] }) => Promise<ArchGraph>;

export async function interpreter(): Promise<Build | null> {
  if (!existsSync(join(__dirname, '..', '..', '..', '..', 'extension', 'pipeline', 'python', 'index.ts'))) return null;
  try {
    // require, not import(): mocha runs with tsx's CommonJS hook only.
    const m = require('../../../../extension/pipeline/python/index') as { buildArchGraph: Build };
    return m.buildArchGraph;
  } catch {
    return null;
  }
}

/** adjust_net for torchvision ResNets, on the ArchGraph. */
export function adjustResnetCifar(arch: ArchGraph): ArchGraph {
  for (const id of arch.nodes()) {
    const n = arch.getNodeAttributes(id) as OpNode;
    if (n.modulePath === 'conv1' && n.op === 'Conv2d') {
      arch.mergeNodeAttributes(id, {
        attrs: { ...n.attrs, kernel_size: [3, 3], stride: [1, 1], padding: [1, 1] },
        params: n.params.map((p) => (p.name === 'conv1.weight' ? { ...p, shape: [p.shape[0], p.shape[1], 3, 3] } : p)),
      });
    }
  }
  const mp = arch.filterNodes((_, n) => (n as OpNode).modulePath === 'maxpool');
  for (const id of mp) {
    const inE = arch.inEdges(id)[0];
    const src = arch.source(inE);
    const srcOut = arch.getEdgeAttributes(inE).srcOutput;
    for (const e of arch.outEdges(id)) {
      const a = arch.getEdgeAttributes(e);
      arch.addEdge(src, arch.target(e), { ...a, srcOutput: srcOut });
    }
    arch.dropNode(id);
  }
  const fix = <T extends { name: string; shape: number[] }>(p: T): T => (p.name === 'conv1.weight' ? { ...p, shape: [p.shape[0], p.shape[1], 3, 3] } : p);
  arch.updateAttribute('stateDict', (s) => (s ?? []).map(fix));
  arch.updateAttribute('modules', (ms) => (ms ?? []).map((m) => (m.path === 'conv1' ? { ...m, params: m.params.map(fix) } : m.path === 'maxpool' ? { ...m, type: 'Identity' } : m)));
  return arch;
}

export async function sourceCases(): Promise<SourceCase[] | null> {
  const build = await interpreter();
  if (!build) return null;
  const fixtureFile = join(REF_DIR, 'models', 'fixture_models.py');
  const fixtureSrc = readFileSync(fixtureFile, 'utf8');
  const resnetSrc = existsSync(TORCHVISION_RESNET) ? readFileSync(TORCHVISION_RESNET, 'utf8') : null;
  const cases: SourceCase[] = [
    { name: 'rescat_cifar', tag: 'cifar10__rescat_cnn', config: 'cifar10', pyFile: fixtureFile, pyEntry: 'ResCatCNN()', input: [1, 3, 32, 32],
      build: () => build({ source: fixtureSrc, file: fixtureFile, entry: 'ResCatCNN()', inputShape: [1, 3, 32, 32] }) },
    { name: 'rescat_imagenet', tag: 'imagenet__rescat_cnn', config: 'imagenet', pyFile: fixtureFile, pyEntry: 'ResCatCNN(num_classes=1000)', input: [1, 3, 224, 224],
      build: () => build({ source: fixtureSrc, file: fixtureFile, entry: 'ResCatCNN(num_classes=1000)', inputShape: [1, 3, 224, 224] }) },
    { name: 'mlp', tag: 'cifar10__mlp', config: 'cifar10', pyFile: fixtureFile, pyEntry: 'MLP()', input: [1, 3, 32, 32],
      build: () => build({ source: fixtureSrc, file: fixtureFile, entry: 'MLP()', inputShape: [1, 3, 32, 32] }) },
  ];
  if (resnetSrc) {
    cases.push(
      { name: 'resnet18_cifar', tag: 'cifar10__resnet18', config: 'cifar10', pyModule: 'torchvision.models', pyEntry: 'resnet18(num_classes=10)', adjust: 'resnet_cifar', input: [1, 3, 32, 32],
        build: async () => adjustResnetCifar(await build({ source: resnetSrc, file: TORCHVISION_RESNET, entry: 'resnet18(num_classes=10)', inputShape: [1, 3, 32, 32] })) },
      { name: 'resnet18_imagenet', tag: 'imagenet__resnet18', config: 'imagenet', pyModule: 'torchvision.models', pyEntry: 'resnet18()', input: [1, 3, 224, 224],
        build: () => build({ source: resnetSrc, file: TORCHVISION_RESNET, entry: 'resnet18()', inputShape: [1, 3, 224, 224] }) },
    );
  }
  return cases;
}

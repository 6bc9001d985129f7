/**
 * Exports predicted parameters and loads them into the real PyTorch models with Debian's torch
 * (test/torch/load_exported.py): load_state_dict(strict=True), every tensor equal, a forward pass.
 * Models come from the ArchGraph builders (always) and from Python source through the interpreter
 * (when extension/pipeline/python/index.ts is present).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchGraph } from '../../../extension/pipeline/arch/types';
import { writeSafetensors } from '../../../extension/pipeline/formats/safetensors';
import { loadGhn, predictParameters, type Ghn } from '../../../extension/pipeline/ghn/index';
import { mlp, resCatCnn, resnet18 } from './helpers/archBuilder';
import { haveFixtures, REF_DIR } from './helpers/fixtures';
import { interpreter, sourceCases } from './helpers/sourceModels';

const PY = '/usr/bin/python3';
const LOADER = join(__dirname, '..', '..', 'torch', 'load_exported.py');
const FIXTURE_PY = join(REF_DIR, 'models', 'fixture_models.py');

function torchAvailable(): boolean {
  return existsSync(PY) && spawnSync(PY, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status === 0;
}

interface Spec { name: string; safetensors: string; file?: string; module?: string; entry: string; input: number[]; adjust?: string }

function runLoader(specs: Spec[], dir: string): Record<string, any>[] {
  const specPath = join(dir, 'spec.json');
  writeFileSync(specPath, JSON.stringify(specs));
  const r = spawnSync(PY, [LOADER, specPath], { encoding: 'utf8', timeout: 300000 });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  if (lines.length !== specs.length) throw new Error(`load_exported.py: ${r.stderr.slice(-2000)}`);
  return lines;
}

describe('ghn: exported files load into PyTorch (strict) and run', function () {
  this.timeout(300000);
  let cifar: Ghn, imagenet: Ghn;
  const dir = mkdtempSync(join(tmpdir(), 'ghn-export-'));
  before(async function () {
    if (!haveFixtures() || !torchAvailable()) this.skip();
    cifar = await loadGhn(join(REF_DIR, 'ghn2_cifar10_seed0.safetensors'));
    imagenet = await loadGhn(join(REF_DIR, 'ghn2_imagenet_seed0.pt').replace('.pt', '.safetensors'));
  });

  const exportOne = async (ghn: Ghn, arch: ArchGraph, name: string): Promise<string> => {
    const r = await predictParameters(ghn, arch);
    const out = join(dir, `${name}.safetensors`);
    writeSafetensors(out, r.tensors, { format: 'pt' });
    return out;
  };

  it('ArchGraph-built ResCatCNN, MLP, resnet18 (CIFAR-adjusted and ImageNet)', async () => {
    const specs: Spec[] = [
      { name: 'rescat_cifar', safetensors: await exportOne(cifar, resCatCnn(10, 32), 'rescat_cifar'), file: FIXTURE_PY, entry: 'ResCatCNN(num_classes=10)', input: [2, 3, 32, 32] },
      { name: 'rescat_imagenet', safetensors: await exportOne(imagenet, resCatCnn(1000, 224), 'rescat_imagenet'), file: FIXTURE_PY, entry: 'ResCatCNN(num_classes=1000)', input: [1, 3, 224, 224] },
      { name: 'mlp', safetensors: await exportOne(cifar, mlp(10), 'mlp'), file: FIXTURE_PY, entry: 'MLP()', input: [2, 3, 32, 32] },
      { name: 'resnet18_cifar', safetensors: await exportOne(cifar, resnet18(10, true), 'resnet18_cifar'), module: 'torchvision.models', entry: 'resnet18(num_classes=10)', adjust: 'resnet_cifar', input: [2, 3, 32, 32] },
      { name: 'resnet18_imagenet', safetensors: await exportOne(imagenet, resnet18(1000, false), 'resnet18_imagenet'), module: 'torchvision.models', entry: 'resnet18()', input: [1, 3, 224, 224] },
    ];
    for (const r of runLoader(specs, dir)) {
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(r.missing, []);
      assert.deepEqual(r.unexpected, []);
    }
  });

  it('models parsed from Python source by the interpreter', async function () {
    const cases = await sourceCases();
    if (!cases) this.skip();
    const specs: Spec[] = [];
    for (const c of cases!) {
      const arch = await c.build();
      specs.push({ name: c.name, safetensors: await exportOne(c.config === 'cifar10' ? cifar : imagenet, arch, `src_${c.name}`), file: c.pyFile, module: c.pyModule, entry: c.pyEntry, adjust: c.adjust, input: c.input });
    }
    for (const r of runLoader(specs, dir)) assert.ok(r.ok, JSON.stringify(r));
  });

  it('other torchvision families from source (never crash; strict load; forward pass)', async function () {
    const build = await interpreter();
    if (!build) this.skip();
    const TV = '/usr/lib/python3/dist-packages/torchvision/models/';
    const specs: Spec[] = [];
    for (const [file, entry] of [['efficientnet.py', 'efficientnet_b0()'], ['convnext.py', 'convnext_tiny()']]) {
      if (!existsSync(TV + file)) continue;
      const arch = await build!({ source: readFileSync(TV + file, 'utf8'), file: TV + file, entry, inputShape: [1, 3, 224, 224] });
      const r = await predictParameters(imagenet, arch);
      // convnext's LayerNorm2d (F.layer_norm on the module's own weight) is a GHN-2 'ln'; only layer_scale is left out.
      if (file === 'convnext.py') assert.ok(r.notPredicted.every((p) => p.endsWith('layer_scale')), r.notPredicted.join(','));
      const out = join(dir, `tv_${file}.safetensors`);
      writeSafetensors(out, r.tensors, { format: 'pt' });
      specs.push({ name: entry, safetensors: out, module: 'torchvision.models', entry, input: [1, 3, 224, 224] });
    }
    for (const r of runLoader(specs, dir)) assert.ok(r.ok, JSON.stringify(r));
  });
});

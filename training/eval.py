"""Evaluates a trained GHN on Fashion-MNIST (official test split, first --images images, 3x32x32).

1. Held-out sampled architectures (test split of training/sampler.py, seeds 1_000_000 + i; or --split val):
   accuracy with predicted parameters and no training, mean / std / standard error / median / max, by family.
2. Initialisation comparison for a fixed set of models: GHN-predicted vs PyTorch default (Kaiming-uniform)
   vs orthogonal init, each fine-tuned with SGD (lr --ft-lr, momentum 0.9, batch --ft-batch) for
   0 / 10 / 100 / 1000 steps on the train split.

BatchNorm is evaluated on batch statistics (batches of --eval-batch test images), as the reference does
(`bn_train=True`): running statistics are never predicted. Results print as markdown tables.

  /usr/bin/python3 -m training.eval --ghn media/ghn/ghn-lens-default.safetensors --n 300
  /usr/bin/python3 -m training.eval --n 5 --images 200 --ft-steps 0,2 --ft-models 2   (smoke)
"""
import argparse
import json
import math
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import data as fdata
from . import sampler
from .ghn2 import GHN2, set_bn_batch_stats
from .graph import build_graph

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_GHN = os.path.join(HERE, '..', 'media', 'ghn', 'ghn-lens-default.safetensors')


def apply_params(model, params):
    """Copies predicted tensors into the model's parameters (reference eval mode: param.data = tensor)."""
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n in params:
                p.copy_(params[n])
    return model


@torch.no_grad()
def accuracy(model, x, y, batch=100):
    set_bn_batch_stats(model)
    model.train()  # BN on batch statistics; the sampled nets have no dropout
    correct = 0
    for i in range(0, len(x), batch):
        correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return 100.0 * correct / len(x)


def predict_into(ghn, model):
    g = build_graph(model)
    with torch.no_grad():
        params = ghn.predict([g])[0]
    apply_params(model, params)
    return g


def orthogonal_init(model):
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.orthogonal_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return model


def resnet18_cifar():
    import torchvision
    m = torchvision.models.resnet18(num_classes=10)
    m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    m.maxpool = nn.Identity()
    return m


def _summary(v):
    if not v:
        return dict(n=0)
    return dict(n=len(v), mean=statistics.mean(v), std=statistics.pstdev(v) if len(v) > 1 else 0.0,
                se=(statistics.stdev(v) / math.sqrt(len(v))) if len(v) > 1 else 0.0,
                median=statistics.median(v), min=min(v), max=max(v))


def eval_heldout(ghn, split, n, x, y, eval_batch, log=print):
    rows = []
    t0 = time.time()
    for i in range(n):
        seed = sampler.split_seed(split, i)
        spec, m = sampler.sample(seed)
        g = predict_into(ghn, m)
        acc = accuracy(m, x, y, eval_batch)
        rows.append(dict(seed=seed, family=spec['family'], params=sampler.n_params(m), nodes=g.n_nodes, acc=acc))
        if (i + 1) % 25 == 0 or i + 1 == n:
            log('  %d/%d archs, mean so far %.2f%% (%.0fs)' % (i + 1, n, statistics.mean(r['acc'] for r in rows),
                                                            time.time() - t0))
    return rows


def heldout_table(rows, split, n_images):
    out = ['| %s split archs | n | mean ± std | ± s.e. | median | min | max |' % split, '|---|---|---|---|---|---|---|']
    fams = ['all'] + sorted({r['family'] for r in rows})
    for f in fams:
        s = _summary([r['acc'] for r in rows if f == 'all' or r['family'] == f])
        out.append('| %s | %d | %.2f ± %.2f | %.2f | %.2f | %.2f | %.2f |' % (
            f, s['n'], s['mean'], s['std'], s['se'], s['median'], s['min'], s['max']))
    out.append('')
    out.append('Top-1 accuracy (%%) with GHN-predicted parameters, no training; Fashion-MNIST test images 0-%d; '
               'BatchNorm on batch statistics.' % (n_images - 1))
    return '\n'.join(out)


def finetune_curve(model, steps_list, xtr, ytr, xte, yte, lr, batch, eval_batch, seed=0):
    """Accuracy after each number of SGD steps in steps_list (sorted)."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    res, done = {}, 0
    for target in sorted(steps_list):
        model.train()
        while done < target:
            idx = torch.randint(0, len(xtr), (batch,), generator=gen)
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            done += 1
        res[target] = accuracy(model, xte, yte, eval_batch)
    return res


def init_comparison(ghn, models, steps_list, xtr, ytr, xte, yte, lr, batch, eval_batch, log=print):
    rows = []
    for name, make in models:
        for init in ('ghn', 'default', 'orthogonal'):
            torch.manual_seed(0)
            m = make()
            if init == 'ghn':
                predict_into(ghn, m)
            elif init == 'orthogonal':
                orthogonal_init(m)
            set_bn_batch_stats(m)
            t0 = time.time()
            curve = finetune_curve(m, steps_list, xtr, ytr, xte, yte, lr, batch, eval_batch)
            rows.append(dict(model=name, init=init, acc=curve))
            log('  %s / %s: %s (%.0fs)' % (name, init, ', '.join('%d: %.2f' % kv for kv in sorted(curve.items())),
                                           time.time() - t0))
    return rows


def init_table(rows, steps_list, lr, batch):
    steps_list = sorted(steps_list)
    out = ['| model | init | ' + ' | '.join('%d steps' % s for s in steps_list) + ' |',
           '|---|---|' + '---|' * len(steps_list)]
    for r in rows:
        out.append('| %s | %s | ' % (r['model'], r['init']) + ' | '.join('%.2f' % r['acc'][s] for s in steps_list) + ' |')
    inits = []
    for r in rows:
        if r['init'] not in inits:
            inits.append(r['init'])
    for init in inits:
        vals = [r for r in rows if r['init'] == init]
        out.append('| **mean** | %s | ' % init + ' | '.join(
            '%.2f' % statistics.mean(r['acc'][s] for r in vals) for s in steps_list) + ' |')
    out.append('')
    out.append('Test accuracy (%%) after SGD fine-tuning (lr %g, momentum 0.9, batch %d, grad clip 5) from each '
               'initialisation; BatchNorm on batch statistics.' % (lr, batch))
    return '\n'.join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--ghn', default=DEFAULT_GHN, help='.safetensors or reference .pt checkpoint')
    ap.add_argument('--split', default='test', choices=['test', 'val'])
    ap.add_argument('--n', type=int, default=300, help='held-out architectures')
    ap.add_argument('--images', type=int, default=2000, help='Fashion-MNIST test images (the first N)')
    ap.add_argument('--eval-batch', type=int, default=100)
    ap.add_argument('--ft-steps', default='0,10,100,1000')
    ap.add_argument('--ft-models', type=int, default=5, help='how many of the fixed init-comparison models')
    ap.add_argument('--ft-lr', type=float, default=0.01)
    ap.add_argument('--ft-batch', type=int, default=64)
    ap.add_argument('--skip-heldout', action='store_true')
    ap.add_argument('--skip-init', action='store_true')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', default='', help='write all results as JSON here')
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    ghn = GHN2.load(a.ghn).eval()
    print('GHN: %s' % os.path.normpath(a.ghn))
    xte, yte = fdata.load('test', a.images)
    results = dict(ghn=a.ghn, images=a.images, split=a.split)
    if not a.skip_heldout and a.n > 0:
        rows = eval_heldout(ghn, a.split, a.n, xte, yte, a.eval_batch)
        results['heldout'] = rows
        results['heldout_summary'] = _summary([r['acc'] for r in rows])
        print()
        print(heldout_table(rows, a.split, a.images))
        print()
    if not a.skip_init and a.ft_models > 0:
        steps_list = [int(s) for s in a.ft_steps.split(',')]
        fixed = [('resnet18 (32x32)', resnet18_cifar)]
        for i in range(max(0, a.ft_models - 1)):
            seed = sampler.split_seed('test', i)
            spec = sampler.sample_spec(seed)
            fixed.append(('test arch %d (%s)' % (seed, spec['family']), lambda spec=spec: sampler.build(spec)))
        fixed = fixed[:a.ft_models]
        xtr, ytr = fdata.load('train')
        rows = init_comparison(ghn, fixed, steps_list, xtr, ytr, xte, yte, a.ft_lr, a.ft_batch, a.eval_batch)
        results['init_comparison'] = rows
        print()
        print(init_table(rows, steps_list, a.ft_lr, a.ft_batch))
        print()
    if a.out:
        with open(a.out, 'w') as f:
            json.dump(results, f, indent=1)
    return results


if __name__ == '__main__':
    main()

"""Evaluates a trained GHN on Fashion-MNIST (official test split, first --images images, 3x32x32).

1. Held-out sampled architectures (test split of training/sampler.py, seeds 1_000_000 + i; or --split val):
   accuracy with predicted parameters and no training, mean / std / standard error / median / max, by family.
2. Initialisation comparison for a fixed set of models: GHN-predicted vs PyTorch default (Kaiming-uniform)
   vs orthogonal init, each fine-tuned with SGD (lr --ft-lr, momentum 0.9, batch --ft-batch) for
   0 / 10 / 100 / 1000 steps on the train split.
3. torchvision-family models adapted to 32x32 (training/tv_models/*.py, one source file per model, the
   adaptation documented in each): parsed and predicted through the TypeScript CLI
   (`node bin/ghn-lens.js predict FILE --entry 'build()' --input 1,3,32,32 --json`, the bundled GHN unless
   --ghn is given), the exported safetensors loaded with load_state_dict(strict=True) into the same model
   built by Python from the same file; accuracy with the predicted parameters vs PyTorch default init, and
   the fraction of parameters the GHN predicted. A model the CLI (or loading) fails on is a row with the error.

BatchNorm is evaluated on batch statistics (batches of --eval-batch test images), as the reference does
(`bn_train=True`): running statistics are never predicted. Results print as markdown tables.

  /usr/bin/python3 -m training.eval --ghn media/ghn/ghn-lens-default.safetensors --n 300
  /usr/bin/python3 -m training.eval --n 5 --images 200 --ft-steps 0,2 --ft-models 2   (smoke)
  /usr/bin/python3 -m training.eval --skip-heldout --skip-init --images 1000          (torchvision only)
  /usr/bin/python3 -m training.eval --skip-heldout --skip-init --tv-models resnet18,vgg11_bn
"""
import argparse
import hashlib
import importlib.util
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import data as fdata
from . import safetensors_io
from . import sampler
from .ghn2 import GHN2, set_bn_batch_stats
from .graph import build_graph

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, '..'))
DEFAULT_GHN = os.path.join(REPO, 'media', 'ghn', 'ghn-lens-default.safetensors')
CLI = os.path.join(REPO, 'bin', 'ghn-lens.js')
TV_DIR = os.path.join(HERE, 'tv_models')
# Section 3's default family, in table order: training/tv_models/<name>.py, entry build().
TV_MODELS = ['resnet18', 'resnet34', 'resnet50', 'vgg11_bn', 'vgg16_bn', 'mobilenet_v2', 'mobilenet_v3_small',
             'densenet121', 'shufflenet_v2_x1_0', 'mnasnet1_0', 'efficientnet_b0', 'regnet_x_400mf',
             'squeezenet1_1', 'googlenet']


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


def init_comparison(ghn, models, steps_list, xtr, ytr, xte, yte, lr, batch, eval_batch, log=print,
                    long_max_params=0):
    """long_max_params > 0: a model with more parameters stops at 100 steps (its longer runs are reported as
    not run), so that a CPU-only evaluation can keep a large net such as resnet18 in the comparison."""
    rows = []
    for name, make in models:
        for init in ('ghn', 'default', 'orthogonal'):
            torch.manual_seed(0)
            m = make()
            n_params = sum(p.numel() for p in m.parameters())
            steps_m = [s for s in steps_list if s <= 100 or not long_max_params or n_params <= long_max_params]
            if init == 'ghn':
                predict_into(ghn, m)
            elif init == 'orthogonal':
                orthogonal_init(m)
            set_bn_batch_stats(m)
            t0 = time.time()
            curve = finetune_curve(m, steps_m, xtr, ytr, xte, yte, lr, batch, eval_batch)
            rows.append(dict(model=name, init=init, params=n_params, acc=curve))
            log('  %s / %s: %s (%.0fs)' % (name, init, ', '.join('%d: %.2f' % kv for kv in sorted(curve.items())),
                                           time.time() - t0))
    return rows


def _site_packages_of(module_name):
    """The folder a Python package is imported from (for the CLI's --python-path), or None."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.dirname(list(spec.submodule_search_locations)[0])


def cli_predict(src, out, entry='build()', ghn=None, input_shape=(1, 3, 32, 32), timeout=600):
    """Runs the TypeScript CLI (`ghn-lens predict ... --json`) on a Python source file; returns its JSON summary.
    No --ghn unless `ghn` is given: the CLI then uses its bundled checkpoint. The source's own folder and the
    folder torchvision is installed in are the import paths (the interpreter reads torchvision's source)."""
    node = shutil.which('node')
    if node is None:
        raise RuntimeError('node is not on PATH')
    cmd = [node, CLI, 'predict', os.path.abspath(src), '--entry', entry,
           '--input', ','.join(str(d) for d in input_shape), '--out', os.path.abspath(out), '--json',
           '--python-path', os.path.dirname(os.path.abspath(src))]
    tv = _site_packages_of('torchvision')
    if tv:
        cmd += ['--python-path', tv]
    if ghn:
        cmd += ['--ghn', os.path.abspath(ghn)]
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        msg = (r.stderr.strip() or r.stdout.strip()).splitlines()
        raise RuntimeError('ghn-lens predict exited %d: %s' % (r.returncode, ' '.join(msg[:3])[:300]))
    return json.loads(r.stdout)


def build_from_source(src, entry='build()', seed=0):
    """Imports a project-owned model file (importlib, without touching sys.path) and evaluates `entry` in its
    namespace, after torch.manual_seed(seed) so the default initialisation is reproducible."""
    name = 'ghn_lens_src_' + os.path.splitext(os.path.basename(src))[0]
    spec = importlib.util.spec_from_file_location(name, src)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    torch.manual_seed(seed)
    return eval(entry, dict(vars(mod)))


def load_exported(model, path):
    """Loads an exported .safetensors into the model with load_state_dict(strict=True); returns its metadata.
    A safetensors file carries no per-module state_dict versions (`_metadata`), and a module that checks its
    version (torchvision's MNASNet raises on None) would refuse it: the model's own versions are attached, as
    `model.load_state_dict(model.state_dict() | file)` would."""
    tensors, meta = safetensors_io.load(path)
    tensors._metadata = getattr(model.state_dict(), '_metadata', None)
    model.load_state_dict(tensors, strict=True)
    return meta


@torch.no_grad()
def accuracy_bn_batch(model, x, y, batch=100):
    """accuracy() for nets with dropout: BatchNorm on batch statistics exactly as accuracy() (running statistics
    removed, so BN normalises with each batch's statistics in any mode), every other module in eval mode
    (dropout off, googlenet's aux heads unused). Identical to accuracy() for the dropout-free sampled nets."""
    model.eval()
    set_bn_batch_stats(model)
    correct = 0
    for i in range(0, len(x), batch):
        out = model(x[i:i + batch])
        out = out[0] if isinstance(out, (tuple, list)) else out
        correct += (out.argmax(1) == y[i:i + batch]).sum().item()
    return 100.0 * correct / len(x)


def predicted_fraction(model, predicted):
    """Fraction of the model's parameter values (numel, parameters only: no BN buffers) the GHN predicted."""
    predicted = set(predicted)
    tot = pred = 0
    for n, p in model.named_parameters():
        tot += p.numel()
        if n in predicted:
            pred += p.numel()
    return pred / tot if tot else 0.0, tot


def score_export(src, entry, path, x, y, eval_batch=100, seed=0):
    """A model file's exported parameters scored against its default init: the model built from `src` (seed
    `seed`) is scored as initialised ('default_acc'), then built again with the export at `path` loaded strict
    ('acc'). Returns (scores with the export's metadata GHN as 'ghn', the loaded model)."""
    model = build_from_source(src, entry, seed)
    scores = dict(default_acc=accuracy_bn_batch(model, x, y, eval_batch))
    model = build_from_source(src, entry, seed)
    scores['ghn'] = load_exported(model, path).get('ghn')
    scores['acc'] = accuracy_bn_batch(model, x, y, eval_batch)
    return scores, model


def eval_source_model(src, x, y, eval_batch=100, entry='build()', ghn=None, workdir=None, seed=0,
                      input_shape=(1, 3, 32, 32)):
    """One model file through the CLI and back into PyTorch. Returns a row: accuracy with the CLI-predicted
    parameters ('acc') and with PyTorch's default init ('default_acc', same seed), the fraction of parameter
    values predicted, what was not predicted, the GHN the CLI used. Raises on any failure."""
    row = dict(file=os.path.relpath(src, REPO), entry=entry)
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix='ghn-tv-')
    try:
        out = os.path.join(workdir, os.path.splitext(os.path.basename(src))[0] + '.safetensors')
        t0 = time.time()
        summary = cli_predict(src, out, entry=entry, ghn=ghn, input_shape=input_shape)
        row['cli_s'] = time.time() - t0
        row['ghn'] = summary['ghn']
        with open(summary['ghn'], 'rb') as f:  # the bundled file can be republished while an evaluation runs
            row['ghn_sha256'] = hashlib.sha256(f.read()).hexdigest()
        row['ghn_graph'] = summary.get('ghnGraph')
        row['not_predicted'] = list(summary['notPredicted'])
        row['cli_warnings'] = len(summary.get('warnings', []))
        scores, model = score_export(src, entry, out, x, y, eval_batch, seed)
        row['default_acc'], row['acc'], row['file_ghn'] = scores['default_acc'], scores['acc'], scores['ghn']
        row['predicted_fraction'], row['params'] = predicted_fraction(model, summary['predicted'])
        row['s'] = time.time() - t0
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
    return row


def eval_torchvision(names, x, y, eval_batch, ghn=None, log=print):
    rows = []
    with tempfile.TemporaryDirectory(prefix='ghn-tv-') as tmp:
        for name in names:
            src = os.path.join(TV_DIR, name + '.py')
            try:
                if not os.path.exists(src):
                    raise FileNotFoundError('%s does not exist' % os.path.relpath(src, REPO))
                row = dict(model=name, **eval_source_model(src, x, y, eval_batch, ghn=ghn, workdir=tmp))
                log('  %s: %.2f%% (default init %.2f%%), %.1f%% of %d parameter values predicted (%.0fs)' % (
                    name, row['acc'], row['default_acc'], 100 * row['predicted_fraction'], row['params'], row['s']))
            except Exception as e:  # a row with the error, never a crash
                row = dict(model=name, error='%s: %s' % (type(e).__name__, e))
                log('  %s: FAILED %s' % (name, row['error']))
            rows.append(row)
    return rows


def tv_table(rows, n_images):
    out = ['| torchvision model (32x32) | params | predicted | not predicted | GHN-predicted acc | default-init acc |',
           '|---|---|---|---|---|---|']
    for r in rows:
        if 'error' in r:
            out.append('| %s | — | — | — | error: %s | — |' % (r['model'], r['error'].replace('|', '/')))
            continue
        np_ = r['not_predicted']
        out.append('| %s | %s | %.1f %% | %s | %.2f | %.2f |' % (
            r['model'], '{:,}'.format(r['params']), 100 * r['predicted_fraction'],
            ('%d (%s)' % (len(np_), ', '.join(np_[:3]) + (', …' if len(np_) > 3 else ''))) if np_ else '0',
            r['acc'], r['default_acc']))
    ok = [r for r in rows if 'error' not in r]
    if ok:
        acc, dfl = _summary([r['acc'] for r in ok]), _summary([r['default_acc'] for r in ok])
        frac = _summary([100 * r['predicted_fraction'] for r in ok])
        out.append('| **mean ± std** (%d models) | | %.1f %% | | **%.2f ± %.2f** | %.2f ± %.2f |' % (
            acc['n'], frac['mean'], acc['mean'], acc['std'], dfl['mean'], dfl['std']))
        out.append('| median / min / max | | | | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f |' % (
            acc['median'], acc['min'], acc['max'], dfl['median'], dfl['min'], dfl['max']))
    shas = sorted({r['ghn_sha256'][:12] for r in ok})
    out.append('')
    if len(shas) > 1:
        out.append('**The GHN file changed during this run** (sha256 %s): the rows are not all from one GHN.' % ', '.join(shas))
        out.append('')
    out.append('Top-1 accuracy (%%) on Fashion-MNIST test images 0-%d, no training; parameters predicted by the '
               'TypeScript CLI (`ghn-lens predict`) and loaded with load_state_dict(strict=True); default init = '
               'the same model with PyTorch\'s initialisation (seed 0). BatchNorm on batch statistics, dropout off. '
               '"predicted" = share of parameter values the GHN predicted.%s%s' % (
                   n_images - 1, ' GHN sha256 %s.' % shas[0] if len(shas) == 1 else '',
                   ' Failed: %d.' % (len(rows) - len(ok)) if len(rows) > len(ok) else ''))
    return '\n'.join(out)


def init_table(rows, steps_list, lr, batch):
    steps_list = sorted(steps_list)
    out = ['| model | init | ' + ' | '.join('%d steps' % s for s in steps_list) + ' |',
           '|---|---|' + '---|' * len(steps_list)]
    for r in rows:
        out.append('| %s | %s | ' % (r['model'], r['init']) + ' | '.join(
            '%.2f' % r['acc'][s] if s in r['acc'] else 'not run' for s in steps_list) + ' |')
    inits = []
    for r in rows:
        if r['init'] not in inits:
            inits.append(r['init'])
    for init in inits:
        vals = [r for r in rows if r['init'] == init]
        # Means over the models that ran that many steps (all of them, unless --ft-long-max-params cut some).
        out.append('| **mean** | %s | ' % init + ' | '.join(
            ('%.2f' % statistics.mean(r['acc'][s] for r in vals if s in r['acc'])) +
            ('' if all(s in r['acc'] for r in vals) else ' (%d of %d models)' % (
                sum(s in r['acc'] for r in vals), len(vals))) for s in steps_list) + ' |')
    out.append('')
    out.append('Test accuracy (%%) after SGD fine-tuning (lr %g, momentum 0.9, batch %d, grad clip 5) from each '
               'initialisation; BatchNorm on batch statistics.' % (lr, batch))
    return '\n'.join(out)


README_SECTIONS = ('heldout', 'init', 'torchvision')


def write_readme_section(path, section, table, command):
    """Replaces the block between `<!-- eval:SECTION -->` and `<!-- /eval:SECTION -->` in a Markdown file with
    the table and the command that produced it. A file without the markers is left alone (returns False)."""
    begin, end = '<!-- eval:%s -->' % section, '<!-- /eval:%s -->' % section
    with open(path, encoding='utf-8') as f:
        text = f.read()
    i, j = text.find(begin), text.find(end)
    if i < 0 or j < i:
        return False
    body = '\n`%s`\n\n%s\n' % (command, table)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text[:i + len(begin)] + body + text[j:])
    return True


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--ghn', default=None, help='.safetensors or reference .pt checkpoint (default: the bundled '
                    'media/ghn/ghn-lens-default.safetensors; section 3 passes it to the CLI only when given)')
    ap.add_argument('--split', default='test', choices=['test', 'val'])
    ap.add_argument('--n', type=int, default=300, help='held-out architectures')
    ap.add_argument('--images', type=int, default=2000, help='Fashion-MNIST test images (the first N)')
    ap.add_argument('--eval-batch', type=int, default=100)
    ap.add_argument('--ft-steps', default='0,10,100,1000')
    ap.add_argument('--ft-models', type=int, default=5, help='how many of the fixed init-comparison models')
    ap.add_argument('--ft-lr', type=float, default=0.01)
    ap.add_argument('--ft-batch', type=int, default=64)
    ap.add_argument('--ft-long-max-params', type=int, default=0,
                    help='models with more parameters stop at 100 fine-tuning steps (0: no limit)')
    ap.add_argument('--skip-heldout', action='store_true')
    ap.add_argument('--skip-init', action='store_true')
    ap.add_argument('--skip-torchvision', action='store_true', help='skip section 3 (torchvision family via the CLI)')
    ap.add_argument('--tv-models', default=','.join(TV_MODELS),
                    help='comma-separated training/tv_models/ names for section 3 (default: all %d)' % len(TV_MODELS))
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', default='', help='write all results as JSON here')
    ap.add_argument('--readme', default='', help='also write each table that ran into this Markdown file, between '
                    '<!-- eval:heldout|init|torchvision --> and <!-- /eval:... --> markers (e.g. README.md)')
    a = ap.parse_args(argv)
    command = '/usr/bin/python3 -m training.eval ' + ' '.join(sys.argv[1:] if argv is None else argv)
    tables = {}
    torch.set_num_threads(a.threads)
    ghn_path = a.ghn or DEFAULT_GHN
    ghn = GHN2.load(ghn_path).eval()
    print('GHN: %s' % os.path.normpath(ghn_path))
    xte, yte = fdata.load('test', a.images)
    results = dict(ghn=ghn_path, images=a.images, split=a.split)
    if not a.skip_heldout and a.n > 0:
        rows = eval_heldout(ghn, a.split, a.n, xte, yte, a.eval_batch)
        results['heldout'] = rows
        results['heldout_summary'] = _summary([r['acc'] for r in rows])
        print()
        tables['heldout'] = heldout_table(rows, a.split, a.images)
        print(tables['heldout'])
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
        rows = init_comparison(ghn, fixed, steps_list, xtr, ytr, xte, yte, a.ft_lr, a.ft_batch, a.eval_batch,
                               long_max_params=a.ft_long_max_params)
        results['init_comparison'] = rows
        print()
        tables['init'] = init_table(rows, steps_list, a.ft_lr, a.ft_batch)
        print(tables['init'])
        print()
    if not a.skip_torchvision:
        names = [n.strip() for n in a.tv_models.split(',') if n.strip()]
        # The CLI gets --ghn only when it was given here; otherwise it uses its bundled checkpoint (the default).
        rows = eval_torchvision(names, xte, yte, a.eval_batch, ghn=a.ghn)
        ok = [r for r in rows if 'error' not in r]
        results['torchvision'] = rows
        results['torchvision_summary'] = dict(acc=_summary([r['acc'] for r in ok]),
                                              default_acc=_summary([r['default_acc'] for r in ok]),
                                              predicted_fraction=_summary([r['predicted_fraction'] for r in ok]),
                                              failed=[r['model'] for r in rows if 'error' in r])
        print()
        tables['torchvision'] = tv_table(rows, a.images)
        print(tables['torchvision'])
        print()
    if a.readme:
        for section, table in tables.items():
            ok = write_readme_section(a.readme, section, table, command)
            print('%s: %s section %s' % (a.readme, section, 'written' if ok else 'has no <!-- eval:%s --> markers' % section))
    if a.out:
        with open(a.out, 'w') as f:
            json.dump(results, f, indent=1)
    return results


if __name__ == '__main__':
    main()

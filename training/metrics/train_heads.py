"""Fit the predicted-metric heads on the GHN's graph embedding and measure them on held-out architectures.

Reads the ground truth of `ground_truth.py`, embeds each architecture with the trained GHN (the mean over
nodes of the node embeddings after the GHN's final LayerNorm, as the GHN-2 paper does for property
prediction), fits one small head per metric on the 'train' architectures (ridge regression, or a tiny MLP
when cross-validation prefers it), and evaluates Kendall's tau-b and the mean absolute error on the
'heldout' architectures, which the fit never sees. Writes `media/ghn/metric-heads.json` in the format
`extension/pipeline/metrics/predicted.ts` reads, with the held-out predictions (to rank new ones) and the
quality figures, and prints a table of them next to a static baseline (the parameter count's own tau).

    /usr/bin/python3 -m training.metrics.train_heads \\
        --ground-truth training/metrics/data/ground_truth.jsonl \\
        --ghn media/ghn/ghn-lens-default.safetensors --out media/ghn/metric-heads.json
    /usr/bin/python3 -m training.metrics.train_heads --show media/ghn/metric-heads.json
"""
import argparse
import collections
import datetime
import hashlib
import json
import math
import os
import sys

import torch

from .. import sampler
from ..ghn2 import GHN2
from ..graph import build_graph
from .kendall import mae, tau_b

FORMAT = 'ghn-lens-metric-heads'
VERSION = 1

# name -> (record field, label, unit, transform, higher is better, description template)
METRICS = collections.OrderedDict([
    ('accuracy', ('final_acc', 'Accuracy', '%', 'identity', True,
                  'Test accuracy (first {eval_n} Fashion-MNIST test images, 3x32x32) after {steps} SGD steps of batch {batch} '
                  'from PyTorch\'s default initialisation (lr {lr}, momentum {momentum}, cosine schedule).')),
    ('inferenceMs', ('infer_ms_b1', 'Inference time', 'ms', 'log', False,
                     'Milliseconds per 3x32x32 image at batch 1 on one thread of {cpu} (PyTorch {torch}, eval mode).')),
    ('convergenceSteps', ('steps_to_fraction', 'Convergence', 'steps', 'log', False,
                          'SGD steps to reach {fraction_pct}% of the final accuracy in that training run '
                          '(evaluated every {eval_every} steps).')),
])


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def load_records(path, settings_hash=None):
    recs = collections.OrderedDict()
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if 'error' in r or r.get('final_acc') is None:
                continue
            recs[(r['settings']['hash'], r['id'])] = r
    if not recs:
        return []
    hashes = collections.Counter(h for h, _ in recs)
    use = settings_hash or hashes.most_common(1)[0][0]
    return [r for (h, _), r in recs.items() if h == use]


@torch.no_grad()
def embed(ghn, spec, expect_params=None):
    model = sampler.build(spec)
    n = sum(p.numel() for p in model.parameters())
    if expect_params is not None and n != expect_params:
        raise ValueError('the sampler now builds %d params for this spec, the ground truth had %d: '
                         'the sampler changed since the ground truth was made' % (n, expect_params))
    g = build_graph(model, (3, 32, 32), config=ghn.config)
    x = ghn.embed_graphs([g])[0, :g.n_nodes]
    return x.mean(0).double().tolist(), g.n_nodes


def embeddings_for(ghn, ghn_sha, records, cache_path, log):
    cache = {}
    if cache_path and os.path.exists(cache_path):
        with open(cache_path) as f:
            c = json.load(f)
        if c.get('ghn_sha256') == ghn_sha:
            cache = c['embeddings']
    out = []
    for k, r in enumerate(records):
        key = json.dumps(r['arch'], sort_keys=True)
        if key not in cache:
            cache[key] = embed(ghn, r['arch'], r.get('params'))[0]
            if (k + 1) % 25 == 0:
                log('  embedded %d/%d' % (k + 1, len(records)))
        out.append(cache[key])
    if cache_path:
        os.makedirs(os.path.dirname(os.path.abspath(cache_path)), exist_ok=True)
        with open(cache_path, 'w') as f:
            json.dump(dict(ghn_sha256=ghn_sha, embeddings=cache), f)
    return out


# ---- heads -------------------------------------------------------------------------------------------

def fwd(t, transform):
    return math.log(t) if transform == 'log' else t


def inv(z, transform):
    return math.exp(z) if transform == 'log' else z


def standardise(X):
    mean = X.mean(0)
    std = X.std(0, unbiased=False).clamp_min(1e-6)
    return mean, std


def fit_ridge(X, t, alpha):
    d = X.shape[1]
    A = X.T @ X + alpha * torch.eye(d, dtype=X.dtype)
    w = torch.linalg.solve(A, X.T @ t)
    return [dict(weight=[w.tolist()], bias=[0.0], activation='none')]


def fit_mlp(X, t, wd, hidden=16, epochs=600, seed=0):
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(X.shape[1], hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1)).double()
    opt = torch.optim.Adam(net.parameters(), lr=1e-2, weight_decay=wd)
    for _ in range(epochs):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(X).squeeze(1), t)
        loss.backward()
        opt.step()
    return [dict(weight=net[0].weight.tolist(), bias=net[0].bias.tolist(), activation='relu'),
            dict(weight=net[2].weight.tolist(), bias=net[2].bias.tolist(), activation='none')]


def apply_layers(layers, X):
    x = X
    for l in layers:
        x = x @ torch.tensor(l['weight'], dtype=X.dtype).T + torch.tensor(l['bias'], dtype=X.dtype)
        if l['activation'] == 'relu':
            x = x.clamp_min(0)
    return x[:, 0]


CANDIDATES = [('ridge', a) for a in (0.1, 1.0, 10.0, 100.0, 1000.0)] + [('mlp', wd) for wd in (1e-3, 1e-2)]


def fit(kind, hp, X, t):
    return fit_ridge(X, t, hp) if kind == 'ridge' else fit_mlp(X, t, hp)


def cross_validate(X, t, folds=5):
    """Mean Kendall tau over K folds for each candidate head; returns the best (kind, hp) and the table."""
    n = len(t)
    folds = max(2, min(folds, n // 2))
    idx = list(range(n))
    scores = []
    for kind, hp in CANDIDATES:
        taus = []
        for f in range(folds):
            va = [i for i in idx if i % folds == f]
            tr = [i for i in idx if i % folds != f]
            if len(va) < 2 or len(tr) < 2:
                continue
            layers = fit(kind, hp, X[tr], t[tr])
            tau = tau_b(apply_layers(layers, X[va]).tolist(), t[va].tolist())
            if not math.isnan(tau):
                taus.append(tau)
        scores.append((sum(taus) / len(taus) if taus else float('-inf'), kind, hp))
    best = max(scores, key=lambda s: s[0])
    return (best[1], best[2]), scores


def train_head(name, records, emb, log):
    field, label, unit, transform, higher, desc = METRICS[name]
    rows = [(r, e) for r, e in zip(records, emb) if r.get(field) is not None and (transform != 'log' or r[field] > 0)]
    tr = [(r, e) for r, e in rows if r['split'] == 'train']
    ho = [(r, e) for r, e in rows if r['split'] == 'heldout']
    if len(tr) < 3 or len(ho) < 2:
        log('  %s: too few architectures (train %d, held-out %d): skipped' % (name, len(tr), len(ho)))
        return None
    Xtr = torch.tensor([e for _, e in tr], dtype=torch.float64)
    Xho = torch.tensor([e for _, e in ho], dtype=torch.float64)
    mean, std = standardise(Xtr)
    ytr = torch.tensor([fwd(r[field], transform) for r, _ in tr], dtype=torch.float64)
    t_mean, t_std = ytr.mean().item(), max(ytr.std(unbiased=False).item(), 1e-9)
    Ztr, Zho = (Xtr - mean) / std, (Xho - mean) / std
    ttr = (ytr - t_mean) / t_std
    (kind, hp), table = cross_validate(Ztr, ttr)
    layers = fit(kind, hp, Ztr, ttr)
    pred = [inv(z * t_std + t_mean, transform) for z in apply_layers(layers, Zho).tolist()]
    target = [r[field] for r, _ in ho]
    tau, err = tau_b(pred, target), mae(pred, target)
    base = tau_b([r['params'] for r, _ in ho], target)
    s = tr[0][0]['settings']
    env = tr[0][0].get('timing_env') or tr[0][0].get('env', {})
    fmt = dict(s, fraction_pct=round(100 * s['fraction']), cpu=env.get('cpu', 'this CPU'), torch=env.get('torch', '?'))
    head = collections.OrderedDict(
        label=label, unit=unit, description=desc.format(**fmt), higherIsBetter=higher,
        input=dict(mean=mean.tolist(), std=std.tolist()), layers=layers,
        target=dict(transform=transform, mean=t_mean, std=t_std),
        heldOut=dict(n=len(ho), kendallTau=tau, mae=err, predictions=pred, targets=target),
        trainN=len(tr), fit=dict(kind=kind, hp=hp, cv=[[round(a, 4), k, h] for a, k, h in table]),
        baseline=dict(paramsKendallTau=base),
    )
    return head


def show(heads_path):
    with open(heads_path) as f:
        h = json.load(f)
    print('Metric heads %s (GHN %s, sha256 %s)' % (heads_path, h['ghn']['checkpoint'], (h['ghn'].get('sha256') or '?')[:12]))
    print('| metric | head | train | held-out | Kendall tau | MAE | tau of #params (baseline) |')
    print('|---|---|---:|---:|---:|---:|---:|')
    for name, m in h['heads'].items():
        q = m['heldOut']
        print('| %s | %s | %d | %d | %.3f | %.3g %s | %.3f |' % (
            name, m.get('fit', {}).get('kind', '?'), m.get('trainN', 0), q['n'], q['kendallTau'], q['mae'], m['unit'],
            m.get('baseline', {}).get('paramsKendallTau', float('nan'))))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--ground-truth', default='training/metrics/data/ground_truth.jsonl')
    p.add_argument('--ghn', default='media/ghn/ghn-lens-default.safetensors')
    p.add_argument('--out', default='media/ghn/metric-heads.json')
    p.add_argument('--cache', default=None, help='embedding cache (default: next to the ground truth)')
    p.add_argument('--settings', default=None, help='settings hash of the ground truth to use (default: the most common)')
    p.add_argument('--show', metavar='HEADS_JSON', help='print the quality table of a heads file and exit')
    a = p.parse_args(argv)
    if a.show:
        show(a.show)
        return 0
    log = lambda m: print(m, flush=True)  # noqa: E731
    records = load_records(a.ground_truth, a.settings)
    log('%d architectures with ground truth (%d held-out)' % (len(records), sum(r['split'] == 'heldout' for r in records)))
    if not records:
        return 1
    ghn = GHN2.load(a.ghn).eval()
    ghn_sha = sha256_of(a.ghn)
    cache = a.cache or os.path.join(os.path.dirname(os.path.abspath(a.ground_truth)), 'embeddings.json')
    emb = embeddings_for(ghn, ghn_sha, records, cache, log)
    heads = collections.OrderedDict()
    for name in METRICS:
        h = train_head(name, records, emb, log)
        if h is None:
            continue
        if any(math.isnan(v) for v in (h['heldOut']['kendallTau'], h['heldOut']['mae'])):
            log('  %s: held-out tau undefined (constant values?): not written' % name)
            continue
        heads[name] = h
        log('  %-17s %s  held-out tau %.3f  MAE %.3g %s  (baseline tau of #params %.3f)' % (
            name, h['fit']['kind'], h['heldOut']['kendallTau'], h['heldOut']['mae'], h['unit'], h['baseline']['paramsKendallTau']))
    if not heads:
        log('no head could be evaluated: nothing written')
        return 1
    s = records[0]['settings']
    out = collections.OrderedDict(
        format=FORMAT, version=VERSION,
        ghn=dict(checkpoint=os.path.basename(a.ghn), sha256=ghn_sha, hid=ghn.hid),
        task=dict(dataset='FashionMNIST', inputShape=[1, 3, 32, 32], steps=s['steps'], batch=s['batch'], lr=s['lr'],
                  evalImages=s['eval_n'], fraction=s['fraction'], groundTruth=os.path.basename(a.ground_truth), settings=s['hash']),
        createdAt=datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        embedding='mean over nodes of the GHN node embeddings after the final LayerNorm',
        heads=heads,
    )
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, 'w') as f:
        json.dump(out, f, allow_nan=False)
    log('wrote %s' % a.out)
    show(a.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""Trains the GHN-2 on Fashion-MNIST (3x32x32) over sampled architectures, the reference way:
each step predicts all parameters of a meta-batch of sampled nets, runs each net on the same image
batch with BatchNorm on batch statistics, and backpropagates the mean cross-entropy into the GHN.
Adam (lr 1e-3, weight decay 1e-5, the reference's defaults), gradient clipping at 5.

Checkpoints every --ckpt-minutes to training/runs/<name>/ckpt.pt (GHN, optimizer, RNG and data
states, step) and training/runs/<name>/ghn.safetensors (state dict + __metadata__.config).
`--resume` continues exactly from ckpt.pt. Log: training/runs/<name>/log.txt.

  /usr/bin/python3 -m training.train --name main --max-minutes 95 --resume
"""
import argparse
import json
import math
import os
import random
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F

from . import data as fdata
from . import sampler
from .ghn2 import GHN2, CIFAR10_CONFIG, functional_forward
from .graph import build_graph

HERE = os.path.dirname(os.path.abspath(__file__))
REF_INIT = os.path.normpath(os.path.join(HERE, '..', '..', 'shared', 'ghn2-reference', 'ghn2_cifar10_seed0.safetensors'))


class ArchPool:
    """Training architectures: seeds drawn from a fixed pool of the train split; graphs cached."""

    def __init__(self, pool_size, max_cache=20000):
        self.pool_size = pool_size
        self.cache = OrderedDict()
        self.max_cache = max_cache
        self.hits = self.misses = 0

    def get(self, seed):
        if seed in self.cache:
            spec = self.cache[seed][0]
            model = sampler.build(spec)
        else:
            spec, model = sampler.sample(seed)
        if seed in self.cache:
            self.hits += 1
            g = self.cache[seed][1]
            self.cache.move_to_end(seed)
        else:
            self.misses += 1
            g = build_graph(model)
            self.cache[seed] = (spec, g)
            if len(self.cache) > self.max_cache:
                self.cache.popitem(last=False)
        return spec, model, g


def net_loss(ghn, models, graphs, x, y):
    """Mean cross-entropy over the meta-batch with predicted parameters; also returns accuracies."""
    params = ghn.predict(graphs)
    losses, accs = [], []
    for m, p in zip(models, params):
        out = functional_forward(m, p, x)
        losses.append(F.cross_entropy(out, y))
        accs.append((out.argmax(1) == y).float().mean().item())
    return torch.stack(losses).mean(), accs


def save_ckpt(run_dir, ghn, opt, state, batches, pyrng):
    ck = dict(state_dict=ghn.state_dict(), optimizer=opt.state_dict(), config=dict(ghn.config), state=state,
              torch_rng=torch.get_rng_state(), py_rng=pyrng.getstate(), np_rng=np.random.get_state(),
              batches=batches.state_dict())
    tmp = os.path.join(run_dir, 'ckpt.pt.tmp')
    torch.save(ck, tmp)
    os.replace(tmp, os.path.join(run_dir, 'ckpt.pt'))
    meta = OrderedDict([('steps', str(state['step'])), ('train_minutes', '%.1f' % state['minutes']),
                        ('data', 'Fashion-MNIST train, 3x32x32'), ('trainer', 'training/train.py (GHN Lens)'),
                        ('torch', torch.__version__)])
    ghn.save_safetensors(os.path.join(run_dir, 'ghn.safetensors'), meta)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--name', default='main')
    ap.add_argument('--runs-dir', default=os.path.join(HERE, 'runs'))
    ap.add_argument('--meta-batch', type=int, default=4, help='sampled nets per step')
    ap.add_argument('--batch', type=int, default=16, help='images per step (shared by the nets)')
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--wd', type=float, default=1e-5)
    ap.add_argument('--clip', type=float, default=5.0)
    ap.add_argument('--pool', type=int, default=5000, help='number of training architectures (graph cache)')
    ap.add_argument('--max-minutes', type=float, default=60.0, help='wall-clock budget of this invocation')
    ap.add_argument('--max-steps', type=int, default=0)
    ap.add_argument('--ckpt-minutes', type=float, default=5.0)
    ap.add_argument('--log-every', type=int, default=10)
    ap.add_argument('--threads', type=int, default=1,
                    help='torch threads; 1 is much faster than 2 on this shared 2-core machine (OpenMP oversubscription)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--init', default=REF_INIT,
                    help='initial GHN weights (default: the reference random init, seed 0); "" for PyTorch init')
    ap.add_argument('--n-train-images', type=int, default=None, help='limit the train split (tests)')
    ap.add_argument('--resume', action='store_true', help='continue from runs/<name>/ckpt.pt if present')
    a = ap.parse_args(argv)

    torch.set_num_threads(a.threads)
    dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    run_dir = os.path.join(a.runs_dir, a.name)
    os.makedirs(run_dir, exist_ok=True)
    logf = open(os.path.join(run_dir, 'log.txt'), 'a')

    def log(msg):
        line = '%s %s' % (time.strftime('%Y-%m-%d %H:%M:%S'), msg)
        print(line, flush=True)
        logf.write(line + '\n')
        logf.flush()

    torch.manual_seed(a.seed)
    pyrng = random.Random(a.seed)
    np.random.seed(a.seed)
    if a.init and os.path.exists(a.init):
        ghn = GHN2.load(a.init)
    else:
        ghn = GHN2.from_config(CIFAR10_CONFIG)
    ghn = ghn.to(dev).train()
    opt = torch.optim.Adam(ghn.parameters(), lr=a.lr, weight_decay=a.wd)
    batches = fdata.Batches(a.batch, seed=a.seed, n=a.n_train_images)
    state = dict(step=0, minutes=0.0, archs=0, args=vars(a))
    ck_path = os.path.join(run_dir, 'ckpt.pt')
    if a.resume and os.path.exists(ck_path):
        ck = torch.load(ck_path, map_location='cpu')
        ghn.load_state_dict(ck['state_dict'])
        opt.load_state_dict(ck['optimizer'])
        state = ck['state']
        torch.set_rng_state(ck['torch_rng'])
        pyrng.setstate(ck['py_rng'])
        np.random.set_state(ck['np_rng'])
        batches.load_state_dict(ck['batches'])
        log('resumed from %s at step %d (%.1f min trained)' % (ck_path, state['step'], state['minutes']))
    else:
        log('new run %s: %s' % (a.name, json.dumps(vars(a))))
    log('device %s, threads %d, GHN params %d' % (dev, torch.get_num_threads(), sum(p.numel() for p in ghn.parameters())))

    pool = ArchPool(a.pool)
    t_start = time.time()
    t_ck = time.time()
    t_prev_minutes = state['minutes']
    ema_loss, ema_acc = None, None
    t_win, steps_win = time.time(), 0
    tm = dict(sample=0., ghn=0., nets=0.)
    while True:
        elapsed = (time.time() - t_start) / 60.
        if elapsed >= a.max_minutes or (a.max_steps and state['step'] >= a.max_steps):
            break
        t0 = time.time()
        models, graphs = [], []
        while len(models) < a.meta_batch:
            seed = pyrng.randrange(a.pool)
            spec, m, g = pool.get(seed)
            if g.pruned:
                continue
            models.append(m.to(dev).train())
            graphs.append(g)
        x, y = batches.next()
        x, y = x.to(dev), y.to(dev)
        t1 = time.time()
        loss, accs = net_loss(ghn, models, graphs, x, y)
        if not torch.isfinite(loss):
            log('step %d: non-finite loss, skipped' % state['step'])
            opt.zero_grad(set_to_none=True)
            continue
        t2 = time.time()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(ghn.parameters(), a.clip)
        opt.step()
        t3 = time.time()
        tm['sample'] += t1 - t0
        tm['ghn'] += t2 - t1
        tm['nets'] += t3 - t2
        state['step'] += 1
        state['archs'] += len(models)
        state['minutes'] = t_prev_minutes + (time.time() - t_start) / 60.
        acc = float(np.mean(accs))
        ema_loss = loss.item() if ema_loss is None else 0.98 * ema_loss + 0.02 * loss.item()
        ema_acc = acc if ema_acc is None else 0.98 * ema_acc + 0.02 * acc
        steps_win += 1
        if state['step'] % a.log_every == 0:
            dt = time.time() - t_win
            log('step %d  loss %.4f (ema %.4f)  train acc %.3f (ema %.3f)  grad %.2f  %.3f steps/s  '
                '[fwd %.2fs bwd+opt %.2fs sample %.2fs per step, cache hits %d/%d]  %.1f min'
                % (state['step'], loss.item(), ema_loss, acc, ema_acc, float(gn), steps_win / dt,
                   tm['ghn'] / steps_win, tm['nets'] / steps_win, tm['sample'] / steps_win,
                   pool.hits, pool.hits + pool.misses, state['minutes']))
            t_win, steps_win = time.time(), 0
            tm = dict(sample=0., ghn=0., nets=0.)
            state['ema_loss'], state['ema_acc'] = ema_loss, ema_acc
        if (time.time() - t_ck) / 60. >= a.ckpt_minutes:
            save_ckpt(run_dir, ghn, opt, state, batches, pyrng)
            log('checkpoint at step %d' % state['step'])
            t_ck = time.time()
    state['ema_loss'], state['ema_acc'] = ema_loss, ema_acc
    save_ckpt(run_dir, ghn, opt, state, batches, pyrng)
    log('done: step %d, %.1f min trained in total; checkpoint %s' % (state['step'], state['minutes'], ck_path))
    logf.close()
    return state


if __name__ == '__main__':
    main()

"""Ground truth for the predicted-metric heads: train and time a fixed set of sampled architectures.

For each architecture id i in [start, n) (a fixed split: the net is sampled from seed SEED_BASE + i by
the training package's sampler, so anyone can rebuild it), this script
  - trains it from PyTorch's default initialisation with SGD for a fixed budget of steps on Fashion-MNIST
    presented as 3x32x32 (the bundled GHN's task), evaluating test accuracy on a fixed subset of the test
    split every `eval_every` steps (the accuracy curve),
  - records the final accuracy and the convergence speed: the first evaluated step at which accuracy
    reached `fraction` (default 0.9) of the final accuracy,
  - times inference on this CPU with torch.set_num_threads(1): milliseconds per image at batch 1 and at
    batch 64 (median of repeated runs after warm-up),
and appends one JSON line per architecture to OUT. It is resumable: ids already in OUT with the same
settings are skipped, so a killed run continues where it stopped. Several processes can share the work
with --shard K/M (each takes ids with i % M == K) and append to the same file (lines are written under
an exclusive lock).

Run it on an otherwise idle machine: the timings are only meaningful without contention (the load
average at timing is recorded with each line so that contended measurements can be spotted).

    /usr/bin/python3 -m training.metrics.ground_truth --out training/metrics/data/ground_truth.jsonl --n 300
"""
import argparse
import fcntl
import hashlib
import json
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn.functional as F

from .. import data as fmnist
from .. import sampler

SEED_BASE = 7_000_000  # far from the seeds the GHN was trained and evaluated on
HELDOUT_EVERY = 5      # ids with i % 5 == 0 are the held-out architectures (20 %)


def split_of(i):
    return 'heldout' if i % HELDOUT_EVERY == 0 else 'train'


def sample(seed):
    """(model, spec): the training package's sampler, a pure function of the seed; the weights are
    PyTorch's default initialisation under torch.manual_seed(seed)."""
    spec = sampler.sample_spec(seed)
    torch.manual_seed(seed)
    return sampler.build(spec), spec


def settings_of(a):
    keys = ['seed_base', 'steps', 'batch', 'lr', 'momentum', 'wd', 'eval_every', 'eval_n', 'train_n', 'fraction', 'sampler', 'data_seed']
    s = {k: getattr(a, k) for k in keys if k != 'sampler'}
    s['sampler'] = 'training.sampler v%s' % getattr(sampler, 'VERSION', 1)
    s['hash'] = hashlib.sha256(json.dumps(s, sort_keys=True).encode()).hexdigest()[:12]
    return s


def done_ids(path, settings_hash):
    ids = set()
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    r = json.loads(line)
                except ValueError:
                    continue  # a line cut by a kill: the id is redone
                if r.get('settings', {}).get('hash') == settings_hash:
                    ids.add(r['id'])
    return ids


def append(path, record):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'a') as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write(json.dumps(record) + '\n')
        f.flush()
        os.fsync(f.fileno())
        fcntl.flock(f, fcntl.LOCK_UN)


@torch.no_grad()
def evaluate(model, x, y, bs=500):
    model.eval()
    correct = 0
    for k in range(0, len(x), bs):
        correct += (model(x[k:k + bs]).argmax(1) == y[k:k + bs]).sum().item()
    model.train()
    return 100.0 * correct / len(x)


def train(model, batches, xt, yt, a, log=None, device='cpu'):
    """SGD (momentum, weight decay, cosine schedule over the budget). Returns the accuracy curve."""
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum, weight_decay=a.wd, nesterov=a.momentum > 0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=a.steps)
    model.train()
    curve, losses, diverged = [], [], False
    for step in range(1, a.steps + 1):
        x, y = batches.next()
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        if not torch.isfinite(loss):
            diverged = True
            break
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
        if step % a.eval_every == 0 or step == a.steps:
            acc = evaluate(model, xt, yt)
            curve.append([step, acc])
            if log:
                log('    step %d loss %.3f acc %.2f' % (step, statistics.fmean(losses[-a.eval_every:]), acc))
    if diverged:
        curve.append([step, evaluate(model, xt, yt)])
    return curve, losses, diverged


def steps_to_fraction(curve, fraction):
    if not curve:
        return None
    final = curve[-1][1]
    for step, acc in curve:
        if acc >= fraction * final:
            return step
    return curve[-1][0]


@torch.no_grad()
def time_inference(model, batch, min_seconds=0.5, max_reps=50, warmup=3):
    """Median milliseconds per image, one thread, eval mode."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        model.eval()
        x = torch.randn(batch, 3, 32, 32)
        for _ in range(warmup):
            model(x)
        times, t_end = [], time.perf_counter() + min_seconds
        while len(times) < 5 or (time.perf_counter() < t_end and len(times) < max_reps):
            t = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t)
        return 1000.0 * statistics.median(times) / batch, len(times)
    finally:
        torch.set_num_threads(threads)


def timing_fields(model):
    """Inference timing on this machine's CPU (one thread), batch 1 and 64. Weights do not matter."""
    model = model.cpu()
    ms1, r1 = time_inference(model, 1)
    ms64, r64 = time_inference(model, 64, min_seconds=1.0, max_reps=20)
    return dict(infer_ms_b1=ms1, infer_ms_b64=ms64, timing_reps=[r1, r64], loadavg=os.getloadavg()[0],
                timing_env=dict(torch=torch.__version__, cpu=cpu_name(), threads=1))


def last_records(path, settings_hash):
    """The last line per id with these settings (later lines, e.g. a timing pass, supersede earlier ones)."""
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                if r.get('settings', {}).get('hash') == settings_hash:
                    out[r['id']] = r
    return out


def timing_pass(a, settings, log):
    """--timing only: time every trained architecture that has no timing yet (on this CPU)."""
    recs = last_records(a.out, settings['hash'])
    todo = [r for i, r in sorted(recs.items()) if 'error' not in r and r.get('final_acc') is not None
            and r.get('infer_ms_b1') is None and a.start <= i < a.n and i % a.shard_m == a.shard_k]
    log('timing pass: %d architectures to time' % len(todo))
    for r in todo:
        model = sampler.build(r['arch'])
        r = dict(r, **timing_fields(model))
        append(a.out, r)
        log('  arch %d: %.3f ms/img (b1), %.3f ms/img (b64)' % (r['id'], r['infer_ms_b1'], r['infer_ms_b64']))
    return 0


def cpu_name():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', default='training/metrics/data/ground_truth.jsonl')
    p.add_argument('--n', type=int, default=300, help='architectures: ids [start, n)')
    p.add_argument('--start', type=int, default=0)
    p.add_argument('--shard', default='0/1', help='K/M: only ids with id %% M == K')
    p.add_argument('--seed-base', dest='seed_base', type=int, default=SEED_BASE)
    p.add_argument('--steps', type=int, default=300, help='training budget in SGD steps')
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--lr', type=float, default=0.05)
    p.add_argument('--momentum', type=float, default=0.9)
    p.add_argument('--wd', type=float, default=5e-4)
    p.add_argument('--eval-every', dest='eval_every', type=int, default=25)
    p.add_argument('--eval-n', dest='eval_n', type=int, default=1000, help='first N test images')
    p.add_argument('--train-n', dest='train_n', type=int, default=None, help='first N train images (default all)')
    p.add_argument('--data-seed', dest='data_seed', type=int, default=0, help='the same batch order for every net')
    p.add_argument('--fraction', type=float, default=0.9)
    p.add_argument('--threads', type=int, default=0, help='torch threads for training (0: leave as is)')
    p.add_argument('--max-params', dest='max_params', type=int, default=5_000_000)
    p.add_argument('--device', default='cpu', help="where to train: 'cpu' or 'cuda' (timing is always on this machine's CPU)")
    p.add_argument('--timing', choices=['with', 'skip', 'only'], default='with',
                   help="'with': time after training; 'skip': train only (e.g. on a GPU machine, whose CPU is "
                        "not the target); 'only': time the trained architectures that have no timing yet")
    p.add_argument('--quiet', action='store_true')
    a = p.parse_args(argv)
    log = (lambda *_: None) if a.quiet else (lambda m: print(m, flush=True))
    k, m = (int(v) for v in a.shard.split('/'))
    a.shard_k, a.shard_m = k, m
    if a.threads:
        torch.set_num_threads(a.threads)

    settings = settings_of(a)
    if a.timing == 'only':
        return timing_pass(a, settings, log)
    done = done_ids(a.out, settings['hash'])
    todo = [i for i in range(a.start, a.n) if i % m == k and i not in done]
    log('ground truth: %d to do, %d already in %s (settings %s)' % (len(todo), len(done), a.out, settings['hash']))
    if not todo:
        return 0
    xt, yt = fmnist.load('test', a.eval_n)
    xt, yt = xt.to(a.device), yt.to(a.device)
    train_x = fmnist.Batches(a.batch, seed=a.data_seed, n=a.train_n)
    env = dict(torch=torch.__version__, cpu=cpu_name(), python=platform.python_version())

    for i in todo:
        seed = a.seed_base + i
        t0 = time.time()
        try:
            model, desc = sample(seed)
        except Exception as e:  # a sampler failure is recorded, not fatal
            append(a.out, dict(id=i, seed=seed, split=split_of(i), settings=settings, error='sample: %r' % (e,)))
            continue
        n_params = sum(p.numel() for p in model.parameters())
        rec = dict(id=i, seed=seed, split=split_of(i), settings=settings, env=env, arch=desc, params=n_params)
        if n_params > a.max_params:
            rec['error'] = 'too many parameters (%d)' % n_params
            append(a.out, rec)
            continue
        log('arch %d (seed %d): %d params' % (i, seed, n_params))
        # The same batch order for every architecture.
        train_x.gen.manual_seed(a.data_seed)
        train_x.perm, train_x.pos = None, 0
        torch.manual_seed(seed)
        model = model.to(a.device)
        try:
            curve, losses, diverged = train(model, train_x, xt, yt, a, log, a.device)
        except Exception as e:
            rec['error'] = 'train: %r' % (e,)
            append(a.out, rec)
            continue
        t_train = time.time() - t0
        timing = timing_fields(model) if a.timing == 'with' else dict(infer_ms_b1=None, infer_ms_b64=None)
        final = curve[-1][1] if curve else float('nan')
        rec.update(
            curve=curve,
            final_acc=final,
            steps_to_fraction=steps_to_fraction(curve, a.fraction),
            diverged=diverged,
            train_loss_last=statistics.fmean(losses[-a.eval_every:]) if losses else None,
            train_seconds=round(t_train, 1), device=a.device, **timing,
        )
        append(a.out, rec)
        log('  final %.2f%%, %s steps to %.0f%%, %s ms/img (b1), %.0f s' % (
            final, rec['steps_to_fraction'], a.fraction * 100,
            '%.3f' % rec['infer_ms_b1'] if rec['infer_ms_b1'] is not None else '-', t_train))
    return 0


if __name__ == '__main__':
    sys.exit(main())

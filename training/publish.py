"""Copies a run's latest GHN checkpoint to media/ghn/ghn-lens-default.safetensors and writes the model card
media/ghn/ghn-lens-default.json (config, training steps / minutes, data, sampler, quick validation accuracy).

  /usr/bin/python3 -m training.publish --name main --val-n 20 --val-images 500
(--val-n 0 skips the quick validation; it costs CPU that training would otherwise get.)
"""
import argparse
import json
import os
import shutil
import statistics
import time

import torch

from . import safetensors_io as st

HERE = os.path.dirname(os.path.abspath(__file__))
MEDIA = os.path.normpath(os.path.join(HERE, '..', 'media', 'ghn'))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--name', default='main')
    ap.add_argument('--runs-dir', default=os.path.join(HERE, 'runs'))
    ap.add_argument('--val-n', type=int, default=20)
    ap.add_argument('--val-images', type=int, default=500)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    run = os.path.join(a.runs_dir, a.name)
    src = os.path.join(run, 'ghn.safetensors')
    os.makedirs(MEDIA, exist_ok=True)
    dst = os.path.join(MEDIA, 'ghn-lens-default.safetensors')
    tmp = dst + '.tmp'
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)
    sd, meta = st.load(dst)
    ck = torch.load(os.path.join(run, 'ckpt.pt'), map_location='cpu')
    state = ck['state']
    args = state.get('args', {})
    card = dict(
        file='ghn-lens-default.safetensors',
        architecture='GHN-2 (Knyazev et al. 2021), reference CIFAR-10 configuration; state_dict keys as ppuda',
        config=json.loads(meta['config']),
        parameters=sum(v.numel() for v in sd.values()),
        training=dict(steps=state['step'], minutes=round(state['minutes'], 1), architectures_seen=state.get('archs'),
                      meta_batch=args.get('meta_batch'), images_per_step=args.get('batch'),
                      optimizer='Adam lr %s, weight decay %s, grad clip %s' % (args.get('lr'), args.get('wd'),
                                                                                args.get('clip')),
                      init='reference GHN-2 random init (torch.manual_seed(0))',
                      train_loss_ema=state.get('ema_loss'), train_acc_ema=state.get('ema_acc'),
                      hardware='2 shared CPU cores (torch threads %s)' % args.get('threads'),
                      command='/usr/bin/python3 -m training.train --name %s --resume ...' % a.name),
        data='Fashion-MNIST (Debian dataset-fashion-mnist) train split, 28x28 zero-padded to 32x32, replicated to '
             '3 channels, normalised (mean 0.2190, std 0.3318); classes: 10',
        sampler='training/sampler.py: DARTS-like cell nets over the DeepNets-1M primitives (50%%), ResNet-like (20%%), '
                'VGG-like (15%%), MobileNetV2-like (15%%); 3x32x32 input, <= 2M parameters; train pool seeds '
                '[0, %s), validation 2_000_000+i, test 1_000_000+i' % args.get('pool'),
        batchnorm='target nets use BatchNorm on batch statistics (as the reference)',
        published=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
    )
    if a.val_n > 0:
        from . import data as fdata
        from .eval import eval_heldout
        from .ghn2 import GHN2
        ghn = GHN2.load(dst).eval()
        x, y = fdata.load('test', a.val_images)
        rows = eval_heldout(ghn, 'val', a.val_n, x, y, 100)
        accs = [r['acc'] for r in rows]
        card['quick_validation'] = dict(
            split='validation architectures (seeds 2_000_000 + i, i < %d)' % a.val_n,
            images='Fashion-MNIST test images 0-%d' % (a.val_images - 1), mean_acc=round(statistics.mean(accs), 2),
            std=round(statistics.pstdev(accs), 2), median=round(statistics.median(accs), 2), max=round(max(accs), 2),
            note='predicted parameters, no training; BatchNorm on batch statistics')
    with open(os.path.join(MEDIA, 'ghn-lens-default.json'), 'w') as f:
        json.dump(card, f, indent=2)
        f.write('\n')
    print(json.dumps(card, indent=2))


if __name__ == '__main__':
    main()

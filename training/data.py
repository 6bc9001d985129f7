"""Fashion-MNIST from Debian's idx.gz files, presented as 3x32x32 CIFAR-style images:
28x28 zero-padded to 32x32 (2 px each side), replicated to 3 channels, normalised with the
training-set mean and std. The train split is for training; the official test split only for evaluation."""
import gzip
import os
import struct

import numpy as np
import torch

DATA_DIR = os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist')
CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
# mean / std of the padded 32x32 training images (pixel values in [0, 1]); computed by `stats()`
MEAN, STD = 0.2190, 0.3318


def _find(prefix):
    for name in os.listdir(DATA_DIR):
        if name.startswith(prefix):
            return os.path.join(DATA_DIR, name)
    raise FileNotFoundError('%s* not found in %s' % (prefix, DATA_DIR))


def _read_idx(path):
    op = gzip.open if path.endswith('.gz') else open
    with op(path, 'rb') as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack('>HBB', data[:4])
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_raw(split='train'):
    """uint8 images [n,28,28] and int64 labels [n]."""
    p = 'train' if split == 'train' else 't10k'
    x = _read_idx(_find('%s-images-idx3-ubyte' % p))
    y = _read_idx(_find('%s-labels-idx1-ubyte' % p)).astype(np.int64)
    return x, y


def to_cifar_tensor(x_uint8):
    x = torch.from_numpy(np.ascontiguousarray(x_uint8)).float().div_(255.)
    x = torch.nn.functional.pad(x, (2, 2, 2, 2))
    x = (x - MEAN) / STD
    return x.unsqueeze(1).expand(-1, 3, -1, -1)  # a view: the 3 channels share memory


def load(split='train', n=None):
    """Float tensors x [n,3,32,32] (normalised) and y [n]. n limits to the first n images."""
    x, y = load_raw(split)
    if n is not None:
        x, y = x[:n], y[:n]
    return to_cifar_tensor(x), torch.from_numpy(y.copy())


def stats():
    x, _ = load_raw('train')
    x = torch.nn.functional.pad(torch.from_numpy(x).float() / 255., (2, 2, 2, 2))
    return x.mean().item(), x.std().item()


class Batches:
    """Endless shuffled mini-batches from the train split, with its own seeded generator (resumable)."""

    def __init__(self, batch_size, seed=0, split='train', n=None):
        self.x, self.y = load(split, n)
        self.bs = batch_size
        self.gen = torch.Generator().manual_seed(seed)
        self.perm, self.pos = None, 0

    def next(self):
        if self.perm is None or self.pos + self.bs > len(self.perm):
            self.perm, self.pos = torch.randperm(len(self.x), generator=self.gen), 0
        idx = self.perm[self.pos:self.pos + self.bs]
        self.pos += self.bs
        return self.x[idx].contiguous(), self.y[idx]

    def state_dict(self):
        return dict(gen=self.gen.get_state(), perm=self.perm, pos=self.pos)

    def load_state_dict(self, s):
        self.gen.set_state(s['gen'])
        self.perm, self.pos = s['perm'], s['pos']


if __name__ == '__main__':
    print('mean/std of padded train images:', stats())
    x, y = load('test', 10)
    print(x.shape, y.tolist())

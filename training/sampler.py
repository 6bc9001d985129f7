"""Architecture sampler in the spirit of DeepNets-1M, narrowed for CPU training (see
../shared/docs/ghn-training-calibration.md), widened toward the nets users write.

Families (share of the training distribution):
- `darts` (50 %): DARTS-like cell networks over the DeepNets-1M primitives - separable / dilated / plain
  convolutions (1x1, 3x3, 5x5, 7x1-1x7), max / avg pooling, skip, channel squeeze-excitation (cse, ppuda's
  Hardswish gate), node outputs summed and cells concatenated or summed; 3-7 cells with two reductions,
  2-4 nodes a cell, width C in {8,16,24,32}, with or without BatchNorm, 1-2 classifier layers.
- `resnet` (20 %): torchvision-style ResNets (basic or bottleneck blocks, 1x1 projection shortcuts).
- `vgg` (15 %): VGG-style conv stacks with max-pooling, with or without BatchNorm.
- `mobilenet` (15 %): MobileNetV2-style inverted residuals (expand 1x1, depthwise 3x3, project 1x1), optional SE.

No attention cells (too slow on CPU at 32x32). Every net takes 3x32x32 input and has 10 outputs; every
parameter belongs to a Conv2d / Linear / BatchNorm2d / LayerNorm so the GHN predicts all of them.

Splits by seed: train = [0, 1_000_000), test = 1_000_000 + i, validation = 2_000_000 + i.
`sample_spec(seed)` is a pure function of the seed (JSON-able spec); `build(spec)` makes the nn.Module.

CLI: /usr/bin/python3 -m training.sampler --split test --n 20   (prints a summary table)
"""
import argparse
import json
import random

import torch
import torch.nn as nn
import torch.nn.functional as F

TRAIN_SEEDS = (0, 1_000_000)
TEST_OFFSET = 1_000_000
VAL_OFFSET = 2_000_000
MAX_PARAMS = 2_000_000

OPS = ['sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5', 'conv_1x1', 'conv_3x3', 'conv_5x5',
       'conv_7x1_1x7', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'cse']
FAMILIES = [('darts', 0.5), ('resnet', 0.2), ('vgg', 0.15), ('mobilenet', 0.15)]


def split_seed(split, i):
    if split == 'train':
        return TRAIN_SEEDS[0] + i
    if split == 'test':
        return TEST_OFFSET + i
    if split in ('val', 'validation'):
        return VAL_OFFSET + i
    raise ValueError(split)


# ---------------------------------------------------------------------------------------------------
# building blocks

def _bn(c, norm):
    return nn.BatchNorm2d(c) if norm else nn.Identity()


class ReLUConvBN(nn.Sequential):
    def __init__(self, cin, cout, k, stride, norm):
        super().__init__(nn.ReLU(), nn.Conv2d(cin, cout, k, stride, k // 2, bias=not norm), _bn(cout, norm))


class SepConv(nn.Sequential):
    def __init__(self, cin, cout, k, stride, norm):
        p = k // 2
        super().__init__(nn.ReLU(), nn.Conv2d(cin, cin, k, stride, p, groups=cin, bias=False),
                         nn.Conv2d(cin, cin, 1, bias=not norm), _bn(cin, norm), nn.ReLU(),
                         nn.Conv2d(cin, cin, k, 1, p, groups=cin, bias=False),
                         nn.Conv2d(cin, cout, 1, bias=not norm), _bn(cout, norm))


class DilConv(nn.Sequential):
    def __init__(self, cin, cout, k, stride, norm):
        super().__init__(nn.ReLU(), nn.Conv2d(cin, cin, k, stride, k - 1, dilation=2, groups=cin, bias=False),
                         nn.Conv2d(cin, cout, 1, bias=not norm), _bn(cout, norm))


class Conv7x1(nn.Sequential):
    def __init__(self, cin, cout, stride, norm):
        super().__init__(nn.ReLU(), nn.Conv2d(cin, cin, (1, 7), (1, stride), (0, 3), bias=False),
                         nn.Conv2d(cin, cout, (7, 1), (stride, 1), (3, 0), bias=not norm), _bn(cout, norm))


class FactorizedReduce(nn.Module):
    def __init__(self, cin, cout, norm):
        super().__init__()
        self.conv_1 = nn.Conv2d(cin, cout // 2, 1, 2, bias=False)
        self.conv_2 = nn.Conv2d(cin, cout - cout // 2, 1, 2, bias=False)
        self.bn = _bn(cout, norm)

    def forward(self, x):
        x = F.relu(x)
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(x[:, :, 1:, 1:])], 1))


class ChannelSE(nn.Module):
    """Squeeze-excitation gate as in ppuda's ChannelSELayer (Hardswish gate, so the GHN graph has `cse`)."""

    def __init__(self, c, reduction=2):
        super().__init__()
        self.fc1 = nn.Linear(c, max(4, c // reduction))
        self.fc2 = nn.Linear(max(4, c // reduction), c)
        self.act = nn.Hardswish()

    def forward(self, x):
        b, c = x.shape[:2]
        s = x.view(b, c, -1).mean(dim=2)
        s = self.act(self.fc2(F.relu(self.fc1(s))))
        return x * s.view(b, c, 1, 1)


class Pool(nn.Module):
    def __init__(self, kind, stride):
        super().__init__()
        self.pool = (nn.MaxPool2d if kind == 'max' else nn.AvgPool2d)(3, stride, 1)

    def forward(self, x):
        return self.pool(x)


def make_op(name, c, stride, norm):
    if name.startswith('sep_conv'):
        return SepConv(c, c, int(name[-1]), stride, norm)
    if name.startswith('dil_conv'):
        return DilConv(c, c, int(name[-1]), stride, norm)
    if name == 'conv_7x1_1x7':
        return Conv7x1(c, c, stride, norm)
    if name.startswith('conv_'):
        return ReLUConvBN(c, c, int(name[-1]), stride, norm)
    if name == 'max_pool_3x3':
        return Pool('max', stride)
    if name == 'avg_pool_3x3':
        return Pool('avg', stride)
    if name == 'skip_connect':
        return nn.Identity() if stride == 1 else FactorizedReduce(c, c, norm)
    if name == 'cse':
        return ChannelSE(c) if stride == 1 else FactorizedReduce(c, c, norm)
    raise ValueError(name)


class Cell(nn.Module):
    def __init__(self, spec, c_pp, c_p, c, reduction, reduction_prev, norm):
        super().__init__()
        self.pre0 = FactorizedReduce(c_pp, c, norm) if reduction_prev else ReLUConvBN(c_pp, c, 1, 1, norm)
        self.pre1 = ReLUConvBN(c_p, c, 1, 1, norm)
        self.nodes = spec['nodes']  # list of [(input index, op name), (input index, op name)]
        self._ops = nn.ModuleList()
        for node in self.nodes:
            for inp, op in node:
                self._ops.append(make_op(op, c, 2 if reduction and inp < 2 else 1, norm))
        self.concat = spec['concat']
        self.combine = spec['combine']

    def forward(self, s0, s1):
        states = [self.pre0(s0), self.pre1(s1)]
        k = 0
        for node in self.nodes:
            h = 0
            for inp, _ in node:
                h = h + self._ops[k](states[inp])
                k += 1
            states.append(h)
        outs = [states[i] for i in self.concat]
        if self.combine == 'concat' and len(outs) > 1:
            return torch.cat(outs, 1)
        out = outs[0]
        for o in outs[1:]:
            out = out + o
        return out


def _head(c, fc_layers, fc_dim):
    layers, d = [], c
    for _ in range(fc_layers - 1):
        layers += [nn.Linear(d, fc_dim), nn.ReLU()]
        d = fc_dim
    layers.append(nn.Linear(d, 10))
    return nn.Sequential(*layers)


class DartsNet(nn.Module):
    def __init__(self, spec):
        super().__init__()
        C, norm = spec['C'], spec['norm']
        cs = C * spec['stem_mult']
        self.stem = nn.Sequential(nn.Conv2d(3, cs, 3, 1, 1, bias=not norm), _bn(cs, norm))
        c_pp, c_p, c = cs, cs, C
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(spec['n_cells']):
            reduction = i in spec['reductions']
            if reduction:
                c *= 2
            cspec = spec['reduce'] if reduction else spec['normal']
            cell = Cell(cspec, c_pp, c_p, c, reduction, reduction_prev, norm)
            self.cells.append(cell)
            mult = len(cspec['concat']) if cspec['combine'] == 'concat' else 1
            c_pp, c_p = c_p, c * mult
            reduction_prev = reduction
        self.classifier = _head(c_p, spec['fc_layers'], spec['fc_dim'])

    def forward(self, x):
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        x = F.adaptive_avg_pool2d(F.relu(s1), 1).flatten(1)
        return self.classifier(x)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin, w, stride, norm):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, w, 3, stride, 1, bias=not norm)
        self.bn1 = _bn(w, norm)
        self.conv2 = nn.Conv2d(w, w, 3, 1, 1, bias=not norm)
        self.bn2 = _bn(w, norm)
        self.downsample = None
        if stride != 1 or cin != w:
            self.downsample = nn.Sequential(nn.Conv2d(cin, w, 1, stride, bias=not norm), _bn(w, norm))

    def forward(self, x):
        idt = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + idt)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, w, stride, norm):
        super().__init__()
        cout = w * 4
        self.conv1 = nn.Conv2d(cin, w, 1, bias=not norm)
        self.bn1 = _bn(w, norm)
        self.conv2 = nn.Conv2d(w, w, 3, stride, 1, bias=not norm)
        self.bn2 = _bn(w, norm)
        self.conv3 = nn.Conv2d(w, cout, 1, bias=not norm)
        self.bn3 = _bn(cout, norm)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=not norm), _bn(cout, norm))

    def forward(self, x):
        idt = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        return F.relu(self.bn3(self.conv3(out)) + idt)


class ResNetLike(nn.Module):
    def __init__(self, spec):
        super().__init__()
        norm, w = spec['norm'], spec['width']
        self.conv1 = nn.Conv2d(3, w, spec['stem_k'], 1, spec['stem_k'] // 2, bias=not norm)
        self.bn1 = _bn(w, norm)
        self.maxpool = nn.MaxPool2d(3, 2, 1) if spec['maxpool'] else nn.Identity()
        block = Bottleneck if spec['block'] == 'bottleneck' else BasicBlock
        cin, layers = w, []
        for i, n in enumerate(spec['blocks']):
            wi = min(w * 2 ** i, 128)
            blocks = []
            for j in range(n):
                blocks.append(block(cin, wi, 2 if (i > 0 and j == 0) else 1, norm))
                cin = wi * block.expansion
            layers.append(nn.Sequential(*blocks))
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, 10)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        x = self.layers(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class VGGLike(nn.Module):
    def __init__(self, spec):
        super().__init__()
        norm, layers, cin = spec['norm'], [], 3
        for i, (n, wi) in enumerate(zip(spec['convs'], spec['widths'])):
            for _ in range(n):
                layers += [nn.Conv2d(cin, wi, 3, 1, 1, bias=not norm)] + ([nn.BatchNorm2d(wi)] if norm else []) + [nn.ReLU()]
                cin = wi
            layers.append(nn.MaxPool2d(2, 2))
        self.features = nn.Sequential(*layers)
        self.gap = spec['gap']
        res = 32 // 2 ** len(spec['convs'])
        d = cin if self.gap else cin * res * res
        cls = []
        if spec['fc_layers'] == 2:
            cls += [nn.Linear(d, spec['fc_dim']), nn.ReLU()]
            d = spec['fc_dim']
        cls.append(nn.Linear(d, 10))
        self.classifier = nn.Sequential(*cls)

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, 1) if self.gap else x
        return self.classifier(torch.flatten(x, 1))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, t, se, norm):
        super().__init__()
        hid = cin * t
        layers = []
        if t != 1:
            layers += [nn.Conv2d(cin, hid, 1, bias=not norm), _bn(hid, norm), nn.ReLU6()]
        layers += [nn.Conv2d(hid, hid, 3, stride, 1, groups=hid, bias=not norm), _bn(hid, norm), nn.ReLU6()]
        if se:
            layers.append(ChannelSE(hid, 4))
        layers += [nn.Conv2d(hid, cout, 1, bias=not norm), _bn(cout, norm)]
        self.conv = nn.Sequential(*layers)
        self.use_res = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.use_res else self.conv(x)


class MobileNetLike(nn.Module):
    def __init__(self, spec):
        super().__init__()
        norm, w = spec['norm'], spec['stem']
        feats = [nn.Conv2d(3, w, 3, 1, 1, bias=not norm), _bn(w, norm), nn.ReLU6()]
        cin = w
        for (t, c, n, s) in spec['stages']:
            for j in range(n):
                feats.append(InvertedResidual(cin, c, s if j == 0 else 1, t, spec['se'], norm))
                cin = c
        feats += [nn.Conv2d(cin, spec['last'], 1, bias=not norm), _bn(spec['last'], norm), nn.ReLU6()]
        self.features = nn.Sequential(*feats)
        self.classifier = nn.Linear(spec['last'], 10)

    def forward(self, x):
        x = self.features(x)
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# ---------------------------------------------------------------------------------------------------
# sampling

def _sample_cell(r, n_nodes, reduction):
    nodes = []
    for i in range(n_nodes):
        node = []
        for j in range(2):
            # the first node reads both cell inputs, so no cell input (and no earlier cell) is left unused
            inp = j if i == 0 else r.randrange(2 + i)
            op = r.choice(OPS)
            if op == 'cse' and reduction and inp < 2:
                op = 'conv_1x1'
            node.append([inp, op])
        nodes.append(node)
    used = {inp for node in nodes for inp, _ in node}
    concat = [2 + i for i in range(n_nodes) if (2 + i) not in used] or [1 + n_nodes]
    return dict(nodes=nodes, concat=concat, combine='concat' if r.random() < 0.8 else 'sum')


def _sample_darts(r):
    C = r.choice([8, 16, 24, 32])
    n_cells = r.randint(3, 7)
    n_nodes = r.choice([2, 3, 4])
    if n_cells >= 6 or n_nodes == 4:
        C = min(C, 16)
    if n_cells >= 6 and n_nodes == 4:
        C = 8
    red = sorted({max(1, n_cells // 3), max(2, 2 * n_cells // 3)}) if n_cells >= 3 else [1]
    return dict(family='darts', C=C, n_cells=n_cells, n_nodes=n_nodes, reductions=red,
                stem_mult=r.choice([1, 2, 3]) if C <= 16 else r.choice([1, 2]),
                norm=r.random() < 0.9, normal=_sample_cell(r, n_nodes, False),
                reduce=_sample_cell(r, n_nodes, True),
                fc_layers=r.choice([1, 2]), fc_dim=r.choice([32, 64, 128]))


def _sample_resnet(r):
    block = 'bottleneck' if r.random() < 0.3 else 'basic'
    n_stages = r.choice([2, 3, 3, 4])
    return dict(family='resnet', block=block, width=r.choice([8, 16, 16, 24, 32] if block == 'basic' else [8, 16]),
                blocks=[r.choice([1, 1, 2]) for _ in range(n_stages)], stem_k=r.choice([3, 3, 3, 5, 7]),
                maxpool=r.random() < 0.2, norm=r.random() < 0.92)


def _sample_vgg(r):
    n_stages = r.choice([2, 3, 3, 4])
    w0 = r.choice([8, 16, 24, 32])
    widths = [min(w0 * 2 ** i, 128) for i in range(n_stages)]
    gap = r.random() < 0.6 or n_stages < 3
    return dict(family='vgg', convs=[r.choice([1, 1, 2]) for _ in range(n_stages)], widths=widths,
                norm=r.random() < 0.75, gap=gap, fc_layers=r.choice([1, 2]), fc_dim=r.choice([32, 64, 128]))


def _sample_mobilenet(r):
    stem = r.choice([8, 16, 24])
    stages, c, n_down = [[1, r.choice([8, 16]), 1, 1]], stem, 0
    for i in range(r.choice([2, 3, 4])):
        c = min(r.choice([16, 24, 32, 48, 64, 96]), 2 * max(c, 16))
        s = 2 if n_down < 3 and r.random() < 0.75 else 1
        n_down += s == 2
        stages.append([r.choice([2, 3, 4, 6]), c, r.choice([1, 2]), s])
    return dict(family='mobilenet', stem=stem, stages=stages, se=r.random() < 0.3,
                last=r.choice([64, 128, 256]), norm=r.random() < 0.95)


_SAMPLERS = dict(darts=_sample_darts, resnet=_sample_resnet, vgg=_sample_vgg, mobilenet=_sample_mobilenet)
_BUILDERS = dict(darts=DartsNet, resnet=ResNetLike, vgg=VGGLike, mobilenet=MobileNetLike)


def n_params(model):
    return sum(p.numel() for p in model.parameters())


def sample_spec(seed):
    """The architecture spec of `seed` (deterministic; rejection-sampled under MAX_PARAMS)."""
    return _sample(seed)[0]


def _sample(seed):
    r = random.Random(seed)
    x, acc = r.random(), 0.
    fam = FAMILIES[-1][0]
    for name, p in FAMILIES:
        acc += p
        if x < acc:
            fam = name
            break
    for _ in range(100):
        spec = _SAMPLERS[fam](r)
        spec['seed'] = seed
        m = build(spec)
        if n_params(m) <= MAX_PARAMS:
            return spec, m
    return spec, m


def build(spec):
    return _BUILDERS[spec['family']](spec)


def sample(seed):
    """(spec, model) for a seed."""
    return _sample(seed)


def describe(spec):
    f = spec['family']
    if f == 'darts':
        return 'darts C=%d cells=%d nodes=%d bn=%d fc=%d' % (spec['C'], spec['n_cells'], spec['n_nodes'],
                                                             spec['norm'], spec['fc_layers'])
    if f == 'resnet':
        return 'resnet %s w=%d blocks=%s k=%d bn=%d' % (spec['block'], spec['width'], spec['blocks'],
                                                        spec['stem_k'], spec['norm'])
    if f == 'vgg':
        return 'vgg convs=%s widths=%s bn=%d gap=%d' % (spec['convs'], spec['widths'], spec['norm'], spec['gap'])
    return 'mobilenet stem=%d stages=%s se=%d' % (spec['stem'], spec['stages'], spec['se'])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--split', default='test', choices=['train', 'val', 'test'])
    ap.add_argument('--n', type=int, default=20)
    ap.add_argument('--start', type=int, default=0)
    ap.add_argument('--graphs', action='store_true', help='also build GHN graphs (nodes / edges)')
    ap.add_argument('--json', action='store_true', help='print specs as JSON lines')
    a = ap.parse_args()
    from collections import Counter
    fams = Counter()
    print('| seed | family | params | nodes | edges | description |')
    print('|---|---|---|---|---|---|')
    for i in range(a.start, a.start + a.n):
        seed = split_seed(a.split, i)
        spec, m = sample(seed)
        fams[spec['family']] += 1
        nn_, ne = '', ''
        if a.graphs:
            from .graph import build_graph
            g = build_graph(m)
            nn_, ne = g.n_nodes, len(g.edges)
        if a.json:
            print(json.dumps(spec))
        else:
            print('| %d | %s | %d | %s | %s | %s |' % (seed, spec['family'], n_params(m), nn_, ne, describe(spec)))
    print('families:', dict(fams))


if __name__ == '__main__':
    main()

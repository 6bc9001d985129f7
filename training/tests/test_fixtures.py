"""Pins training.ghn2 / training.graph to the reference fixtures in ../shared/ghn2-reference/
(run from the repo root: /usr/bin/python3 -m unittest discover -s training/tests -t .)."""
import json
import os
import sys
import unittest

import torch
import torch.nn as nn

from training import safetensors_io as st
from training.ghn2 import GHN2, CIFAR10_CONFIG, IMAGENET_CONFIG, config_json, key_kind
from training.graph import build_graph, GhnGraph

REF = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'ghn2-reference')
REF = os.path.normpath(REF)
ATOL, RTOL = 1e-6, 1e-4
HAVE_REF = os.path.isdir(REF)

if HAVE_REF:
    sys.path.insert(0, os.path.join(REF, 'models'))
    from fixture_models import ResCatCNN, MLP  # noqa: E402  (reference fixture sources)

_GHN = {}


def ghn_for(cfg):
    if cfg not in _GHN:
        _GHN[cfg] = GHN2.load(os.path.join(REF, 'ghn2_%s_seed0.safetensors' % cfg))
    return _GHN[cfg]


def fixture(cfg, tag):
    base = os.path.join(REF, '%s__%s' % (cfg, tag))
    with open(base + '.graph.json') as f:
        g = json.load(f)
    inter, _ = st.load(base + '.intermediates.safetensors')
    params, _ = st.load(base + '.params.safetensors')
    return g, inter, params


def graph_from_fixture(g, inter):
    """A GhnGraph from the fixture's own graph (used for ppuda-only models)."""
    pp = g['predicted_params']
    entries = []
    for n in g['nodes']:
        if 'group_key' not in n:
            continue
        entries.append(dict(node=n['index'], key=tuple(n['group_key']),
                            targets=[(p, tuple(pp[p]['shape']), p.endswith('weight')) for p in n['predicts']]))
    return GhnGraph(inter['node_type'].tolist(), inter['shape_ind'].tolist(), inter['edges'].tolist(), entries)


def check_full_and_block(tc, pred, ref, stats, what):
    """For tensors stored as a leading block (resnet18 fixtures), checks the full prediction against the
    stored float64 statistics and returns its leading block for the element-wise comparison."""
    tc.assertEqual(list(pred.shape), stats['shape'], what)
    if list(ref.shape) == stats['shape']:
        return pred
    p = pred.detach().double()
    for k, v in (('sum', p.sum()), ('sumabs', p.abs().sum()), ('sumsq', (p * p).sum())):
        tc.assertAlmostEqual(v.item(), stats[k], delta=1e-4 * max(1.0, stats['sumabs']), msg='%s %s' % (what, k))
    tc.assertAlmostEqual(p.min().item(), stats['min'], delta=1e-6 + 1e-4 * abs(stats['min']))
    tc.assertAlmostEqual(p.max().item(), stats['max'], delta=1e-6 + 1e-4 * abs(stats['max']))
    return pred[tuple(slice(0, s) for s in ref.shape)]


def resnet18_cifar():
    import torchvision
    m = torchvision.models.resnet18(num_classes=10)
    m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    m.maxpool = nn.Identity()
    return m


def resnet18_imagenet():
    import torchvision
    return torchvision.models.resnet18(num_classes=1000)


class Report:
    worst = {}

    @classmethod
    def add(cls, what, err):
        cls.worst[what] = max(cls.worst.get(what, 0.0), err)


def _close(tc, a, b, what):
    a, b = a.detach().double(), b.detach().double()
    tc.assertEqual(tuple(a.shape), tuple(b.shape), what)
    err = (a - b).abs().max().item() if a.numel() else 0.0
    Report.add(what.split(':')[0], err)
    tc.assertTrue(torch.allclose(a, b, atol=ATOL, rtol=RTOL), '%s: max abs err %g' % (what, err))


@unittest.skipUnless(HAVE_REF, 'reference fixtures not found at ' + REF)
class TestCheckpoints(unittest.TestCase):
    def test_safetensors_and_pt_agree(self):
        a = GHN2.load(os.path.join(REF, 'ghn2_cifar10_seed0.safetensors'))
        b = GHN2.load(os.path.join(REF, 'ghn2_cifar10_seed0.pt'))
        sda, sdb = a.state_dict(), b.state_dict()
        self.assertEqual(list(sda), list(sdb))
        for k in sda:
            self.assertTrue(torch.equal(sda[k], sdb[k]), k)
        self.assertEqual(sum(v.numel() for v in sda.values()), 1620764)
        ref_sd, meta = st.load(os.path.join(REF, 'ghn2_cifar10_seed0.safetensors'))
        self.assertEqual(list(ref_sd), list(sda))  # exact key names and order
        self.assertEqual(meta['config'], config_json(CIFAR10_CONFIG))
        im = GHN2.load(os.path.join(REF, 'ghn2_imagenet_seed0.safetensors'))
        self.assertEqual(sum(v.numel() for v in im.state_dict().values()), 2319720)

    def test_safetensors_roundtrip(self):
        import tempfile
        a = ghn_for('cifar10')
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, 'x.safetensors')
            a.save_safetensors(p)
            sd, meta = st.load(p)
            _, ref_meta = st.load(os.path.join(REF, 'ghn2_cifar10_seed0.safetensors'))
            self.assertEqual(meta['config'], ref_meta['config'])
            with open(p, 'rb') as f:
                import struct
                n = struct.unpack('<Q', f.read(8))[0]
                self.assertEqual(n % 8, 0)
            for k, v in a.state_dict().items():
                self.assertTrue(torch.equal(sd[k], v))


@unittest.skipUnless(HAVE_REF, 'reference fixtures not found at ' + REF)
class TestGhnOnFixtureGraphs(unittest.TestCase):
    """The GHN network alone, fed the fixture's own graph (all 8 fixtures)."""

    def _run(self, cfg, tag):
        g, inter, params = fixture(cfg, tag)
        graph = graph_from_fixture(g, inter)
        ghn = ghn_for(cfg)
        with torch.no_grad():
            xs = ghn.embed_graphs([graph], return_all=True)
            for k in ('x_embed', 'x_init', 'x_gnn', 'x_ln'):
                _close(self, xs[k][0], inter[k], '%s: %s/%s' % (k, cfg, tag))
            out, raws = ghn.decode(xs['x_ln'], [graph], return_raw=True)
        out, raws = out[0], raws[0]
        self.assertEqual(sorted(out), sorted(params))
        for name, ref in params.items():
            full = tuple(g['predicted_params'][name]['shape'])
            pred = out[name]
            self.assertEqual(tuple(pred.shape), full)
            pred = check_full_and_block(self, pred, ref, g['predicted_params'][name], 'params: %s/%s %s' % (cfg, tag, name))
            _close(self, pred, ref, 'params: %s/%s %s' % (cfg, tag, name))
            if 'raw/' + name in inter:
                _close(self, raws[name], inter['raw/' + name], 'raw: %s/%s %s' % (cfg, tag, name))

    def test_cifar10(self):
        for tag in ('deepnets_style', 'rescat_cnn', 'tiny_vit', 'mlp', 'resnet18'):
            with self.subTest(tag=tag):
                self._run('cifar10', tag)

    def test_imagenet(self):
        for tag in ('rescat_cnn', 'tiny_vit', 'resnet18'):
            with self.subTest(tag=tag):
                self._run('imagenet', tag)


@unittest.skipUnless(HAVE_REF, 'reference fixtures not found at ' + REF)
class TestGraphFromModel(unittest.TestCase):
    """Graph construction from live PyTorch models, then prediction, against the fixtures."""

    def _run(self, cfg, tag, model, input_size):
        g, inter, params = fixture(cfg, tag)
        config = CIFAR10_CONFIG if cfg == 'cifar10' else IMAGENET_CONFIG
        graph = build_graph(model, input_size=input_size, config=config)
        self.assertEqual(graph.names, [n['traced_name'] for n in g['nodes']])
        self.assertEqual(graph.node_type, inter['node_type'].tolist())
        self.assertEqual(graph.shape_ind, inter['shape_ind'].tolist())
        self.assertEqual(graph.edges.tolist(), inter['edges'].tolist())
        for n in g['nodes']:
            shp = graph.shapes[n['index']]
            self.assertEqual(list(shp) if shp is not None else None, n['shape'])
        self.assertEqual(graph.pruned, g['pruned_params'])
        keys = {e['node']: tuple(e['key']) for e in graph.entries}
        for n in g['nodes']:
            if 'group_key' in n:
                self.assertEqual(keys[n['index']], tuple(n['group_key']))
        ghn = ghn_for(cfg)
        with torch.no_grad():
            out = ghn.predict([graph])[0]
        self.assertEqual(sorted(out), sorted(params))
        for name, ref in params.items():
            full = tuple(g['predicted_params'][name]['shape'])
            pred = check_full_and_block(self, out[name], ref, g['predicted_params'][name], 'params(model): %s/%s %s' % (cfg, tag, name))
            _close(self, pred, ref, 'params(model): %s/%s %s' % (cfg, tag, name))

    def test_rescat_cnn(self):
        torch.manual_seed(0)
        self._run('cifar10', 'rescat_cnn', ResCatCNN(), (3, 32, 32))
        torch.manual_seed(0)
        self._run('imagenet', 'rescat_cnn', ResCatCNN(1000), (3, 224, 224))

    def test_mlp(self):
        torch.manual_seed(0)
        self._run('cifar10', 'mlp', MLP(), (3, 32, 32))

    def test_resnet18(self):
        torch.manual_seed(0)
        self._run('cifar10', 'resnet18', resnet18_cifar(), (3, 32, 32))
        torch.manual_seed(0)
        self._run('imagenet', 'resnet18', resnet18_imagenet(), (3, 224, 224))


class TestBeyondReference(unittest.TestCase):
    """Input-channel counts where the reference decoder crashes (section 11) must work here."""

    def test_odd_channels(self):
        torch.manual_seed(0)
        ghn = GHN2.from_config(CIFAR10_CONFIG)
        for c in (5, 7, 10, 11, 13, 15, 21, 31):
            m = nn.Sequential(nn.Conv2d(3, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(),
                              nn.Conv2d(c, c, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                              nn.Linear(c, c), nn.ReLU(), nn.Linear(c, 10))
            g = build_graph(m)
            with torch.no_grad():
                out = ghn.predict([g])[0]
            for name, p in m.named_parameters():
                self.assertEqual(tuple(out[name].shape), tuple(p.shape), name)
                self.assertTrue(torch.isfinite(out[name]).all())


def tearDownModule():
    if Report.worst:
        print('\nmax abs errors vs fixtures: ' + ', '.join('%s %.2e' % kv for kv in sorted(Report.worst.items())),
              file=sys.stderr)


if __name__ == '__main__':
    unittest.main()

"""Sampler, data and trainer smoke tests (a few steps on a tiny subset; fast)."""
import os
import tempfile
import unittest

import torch

from training import data as fdata
from training import sampler
from training.ghn2 import GHN2, CIFAR10_CONFIG, config_json
from training.graph import build_graph
from training import safetensors_io as st

HAVE_DATA = os.path.isdir(fdata.DATA_DIR)


class TestSampler(unittest.TestCase):
    def test_reproducible_and_fully_predicted(self):
        torch.set_num_threads(1)
        fams = set()
        for seed in [0, 1, 2, 3, 4, 5, 6, 7, sampler.split_seed('test', 0), sampler.split_seed('val', 3)]:
            a, b = sampler.sample_spec(seed), sampler.sample_spec(seed)
            self.assertEqual(a, b)
            m = sampler.build(a)
            fams.add(a['family'])
            self.assertLessEqual(sampler.n_params(m), sampler.MAX_PARAMS)
            g = build_graph(m)
            self.assertEqual(g.pruned, [], 'seed %d leaves parameters unpredicted' % seed)
            self.assertEqual(g.node_type[0], 9)  # input first
            out = m(torch.randn(2, 3, 32, 32))
            self.assertEqual(tuple(out.shape), (2, 10))
        self.assertGreaterEqual(len(fams), 3)

    def test_splits_disjoint(self):
        self.assertLess(sampler.TRAIN_SEEDS[1], sampler.split_seed('test', 0) + 1)
        self.assertNotEqual(sampler.split_seed('test', 5), sampler.split_seed('val', 5))


@unittest.skipUnless(HAVE_DATA, 'Fashion-MNIST not installed')
class TestData(unittest.TestCase):
    def test_load(self):
        x, y = fdata.load('test', 10)
        self.assertEqual(tuple(x.shape), (10, 3, 32, 32))
        self.assertTrue(((y >= 0) & (y < 10)).all())
        self.assertAlmostEqual(x[:, :, :2].std().item(), 0.0, places=5)  # zero padding border


@unittest.skipUnless(HAVE_DATA, 'Fashion-MNIST not installed')
class TestTrainer(unittest.TestCase):
    def test_few_steps_and_resume(self):
        from training import train
        with tempfile.TemporaryDirectory() as d:
            common = ['--name', 't', '--runs-dir', d, '--meta-batch', '2', '--batch', '8', '--pool', '4',
                      '--n-train-images', '64', '--init', '', '--log-every', '1']
            s1 = train.main(common + ['--max-steps', '2'])
            self.assertEqual(s1['step'], 2)
            sd, meta = st.load(os.path.join(d, 't', 'ghn.safetensors'))
            self.assertEqual(meta['config'], config_json(CIFAR10_CONFIG))
            self.assertEqual(meta['steps'], '2')
            g = GHN2.load(os.path.join(d, 't', 'ghn.safetensors'))
            self.assertEqual(list(g.state_dict()), list(sd))
            s2 = train.main(common + ['--max-steps', '3', '--resume'])
            self.assertEqual(s2['step'], 3)



@unittest.skipUnless(HAVE_DATA, 'Fashion-MNIST not installed')
class TestEval(unittest.TestCase):
    def test_smoke(self):
        from training import eval as ev
        torch.manual_seed(0)
        ghn = GHN2.from_config(CIFAR10_CONFIG).eval()
        x, y = fdata.load('test', 40)
        rows = ev.eval_heldout(ghn, 'test', 2, x, y, 20, log=lambda *a: None)
        self.assertEqual(len(rows), 2)
        self.assertTrue(all(0 <= r['acc'] <= 100 for r in rows))
        self.assertIn('| all | 2 |', ev.heldout_table(rows, 'test', 40))
        spec = sampler.sample_spec(sampler.split_seed('test', 1))
        res = ev.init_comparison(ghn, [('arch', lambda: sampler.build(spec))], [0, 1], x, y, x, y, 0.01, 8, 20,
                                 log=lambda *a: None)
        self.assertEqual([r['init'] for r in res], ['ghn', 'default', 'orthogonal'])
        self.assertIn('| **mean** | ghn |', ev.init_table(res, [0, 1], 0.01, 8))


if __name__ == '__main__':
    unittest.main()

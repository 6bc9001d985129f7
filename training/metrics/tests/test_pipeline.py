"""Fast checks of the ground-truth bookkeeping and the head fitting (no network training)."""
import json
import math
import os
import tempfile
import unittest

import torch

from training.metrics import ground_truth as gt
from training.metrics import train_heads as th
from training.metrics.kendall import tau_b


class GroundTruthBookkeeping(unittest.TestCase):
    def test_steps_to_fraction(self):
        curve = [[25, 40.0], [50, 70.0], [75, 79.0], [100, 80.0]]
        self.assertEqual(gt.steps_to_fraction(curve, 0.9), 75)   # 72 % needed
        self.assertEqual(gt.steps_to_fraction(curve, 0.6), 50)   # 48 % needed
        self.assertIsNone(gt.steps_to_fraction([], 0.9))

    def test_split_is_fixed(self):
        self.assertEqual([gt.split_of(i) for i in range(6)], ['heldout', 'train', 'train', 'train', 'train', 'heldout'])

    def test_resume_skips_done_ids_and_redoes_cut_lines(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'gt.jsonl')
            gt.append(path, dict(id=0, settings=dict(hash='a')))
            gt.append(path, dict(id=1, settings=dict(hash='b')))  # other settings: not done for 'a'
            with open(path, 'a') as f:
                f.write('{"id": 2, "settings": {"ha')  # a line cut by a kill
            self.assertEqual(gt.done_ids(path, 'a'), {0})

    def test_later_lines_supersede(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'gt.jsonl')
            gt.append(path, dict(id=3, settings=dict(hash='a'), final_acc=50.0, infer_ms_b1=None))
            gt.append(path, dict(id=3, settings=dict(hash='a'), final_acc=50.0, infer_ms_b1=1.5))
            self.assertEqual(gt.last_records(path, 'a')[3]['infer_ms_b1'], 1.5)
            recs = th.load_records(path)
            self.assertEqual(len(recs), 1)
            self.assertEqual(recs[0]['infer_ms_b1'], 1.5)


class Heads(unittest.TestCase):
    # Ridge candidates only: the MLP's cross-validation takes most of a minute on a busy 2-core machine.
    def setUp(self):
        self._candidates = th.CANDIDATES
        th.CANDIDATES = [c for c in th.CANDIDATES if c[0] == 'ridge']

    def tearDown(self):
        th.CANDIDATES = self._candidates

    def test_mlp_head_fits(self):
        g = torch.Generator().manual_seed(2)
        X = torch.randn(80, 32, generator=g, dtype=torch.float64)
        t = torch.relu(X[:, 0]) - torch.relu(-X[:, 1])
        layers = th.fit_mlp(X[:60], t[:60], 1e-3, epochs=200)
        self.assertEqual([l['activation'] for l in layers], ['relu', 'none'])
        self.assertGreater(tau_b(th.apply_layers(layers, X[60:]).tolist(), t[60:].tolist()), 0.5)

    def test_ridge_recovers_a_linear_relation(self):
        g = torch.Generator().manual_seed(0)
        X = torch.randn(120, 32, generator=g, dtype=torch.float64)
        w = torch.randn(32, generator=g, dtype=torch.float64)
        t = X @ w + 0.1 * torch.randn(120, generator=g, dtype=torch.float64)
        (kind, hp), table = th.cross_validate(X[:100], t[:100])
        layers = th.fit(kind, hp, X[:100], t[:100])
        pred = th.apply_layers(layers, X[100:]).tolist()
        self.assertGreater(tau_b(pred, t[100:].tolist()), 0.8)
        self.assertEqual(len(table), len(th.CANDIDATES))

    def test_train_head_writes_consistent_held_out_figures(self):
        g = torch.Generator().manual_seed(1)
        recs, emb = [], []
        for i in range(60):
            e = torch.randn(32, generator=g, dtype=torch.float64)
            recs.append(dict(id=i, split=gt.split_of(i), params=1000 + i, final_acc=60 + 5 * e[0].item(),
                             infer_ms_b1=math.exp(0.5 * e[1].item()), steps_to_fraction=50,
                             settings=dict(steps=300, batch=64, lr=0.05, momentum=0.9, eval_every=25, eval_n=1000, fraction=0.9),
                             env=dict(cpu='test cpu', torch='x')))
            emb.append(e.tolist())
        h = th.train_head('accuracy', recs, emb, lambda *_: None)
        q = h['heldOut']
        self.assertEqual(q['n'], 12)
        self.assertAlmostEqual(q['kendallTau'], tau_b(q['predictions'], q['targets']))
        self.assertGreater(q['kendallTau'], 0.7)
        h2 = th.train_head('inferenceMs', recs, emb, lambda *_: None)
        self.assertEqual(h2['target']['transform'], 'log')
        self.assertGreater(h2['heldOut']['kendallTau'], 0.7)
        json.dumps(h, allow_nan=False)
        # Constant targets: tau undefined.
        self.assertTrue(math.isnan(th.train_head('convergenceSteps', recs, emb, lambda *_: None)['heldOut']['kendallTau']))


if __name__ == '__main__':
    unittest.main()

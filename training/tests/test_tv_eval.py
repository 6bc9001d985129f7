"""training/eval.py section 3 (torchvision family through the TypeScript CLI): model files, error rows, one
tiny model end to end through `node bin/ghn-lens.js predict` (skipped without node / dist/cli.js / the bundled GHN)."""
import ast
import os
import shutil
import tempfile
import unittest

import torch

from training import eval as ev

TINY = '''import torch.nn as nn


def build():
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(8, 10))
'''


class TestTvModels(unittest.TestCase):
    def test_every_listed_file_documents_its_adaptation_and_defines_build(self):
        for name in ev.TV_MODELS:
            path = os.path.join(ev.TV_DIR, name + '.py')
            with open(path) as f:
                tree = ast.parse(f.read())
            doc = ast.get_docstring(tree) or ''
            self.assertIn('Adaptation', doc, name)
            self.assertIn('build', [n.name for n in tree.body if isinstance(n, ast.FunctionDef)], name)

    def test_resnet18_and_squeezenet_build_for_32x32_with_10_classes(self):
        torch.set_num_threads(1)
        for name in ('resnet18', 'squeezenet1_1'):
            m = ev.build_from_source(os.path.join(ev.TV_DIR, name + '.py'))
            with torch.no_grad():
                self.assertEqual(list(m.eval()(torch.randn(2, 3, 32, 32)).shape), [2, 10])
        self.assertEqual(m.__class__.__name__, 'SqueezeNet')

    def test_a_failing_model_is_a_row_not_a_crash(self):
        x, y = torch.zeros(4, 3, 32, 32), torch.zeros(4, dtype=torch.long)
        rows = ev.eval_torchvision(['no_such_model'], x, y, 4, log=lambda *a: None)
        self.assertEqual(rows[0]['model'], 'no_such_model')
        self.assertIn('does not exist', rows[0]['error'])
        self.assertIn('| no_such_model | — |', ev.tv_table(rows, 4))

    def test_bn_batch_stats_and_dropout_off(self):
        d = tempfile.mkdtemp()
        try:
            src = os.path.join(d, 'tiny.py')
            with open(src, 'w') as f:
                f.write(TINY)
            torch.manual_seed(0)
            m = ev.build_from_source(src)
            x, y = torch.randn(20, 3, 32, 32), torch.randint(0, 10, (20,))
            a1, a2 = ev.accuracy_bn_batch(m, x, y, 10), ev.accuracy_bn_batch(m, x, y, 10)
            self.assertEqual(a1, a2)  # deterministic: dropout off
            self.assertIsNone(m[1].running_mean)  # batch statistics
            self.assertFalse(m[5].training)
        finally:
            shutil.rmtree(d)


@unittest.skipUnless(shutil.which('node') and os.path.exists(os.path.join(ev.REPO, 'dist', 'cli.js'))
                     and os.path.exists(ev.DEFAULT_GHN), 'needs node, the built CLI and the bundled GHN')
class TestThroughCli(unittest.TestCase):
    def test_tiny_model_end_to_end(self):
        torch.set_num_threads(1)
        d = tempfile.mkdtemp()
        try:
            src = os.path.join(d, 'tiny.py')
            with open(src, 'w') as f:
                f.write(TINY)
            x, y = torch.randn(20, 3, 32, 32), torch.randint(0, 10, (20,))
            row = ev.eval_source_model(src, x, y, 10, workdir=d)
            self.assertEqual(os.path.realpath(row['ghn']), os.path.realpath(ev.DEFAULT_GHN))
            self.assertEqual(row['file_ghn'], 'ghn-lens-default.safetensors')
            self.assertEqual(row['not_predicted'], [])
            self.assertEqual(row['predicted_fraction'], 1.0)
            self.assertEqual(row['params'], 8 * 3 * 9 + 16 + 80 + 10)
            self.assertTrue(0 <= row['acc'] <= 100 and 0 <= row['default_acc'] <= 100)
        finally:
            shutil.rmtree(d)


if __name__ == '__main__':
    unittest.main()

#!/usr/bin/python3
"""Scores GHN Lens exports on Fashion-MNIST: the model built from its Python source, the exported
.safetensors loaded with load_state_dict(strict=True), top-1 accuracy on the first N official test images
(3x32x32, training/data.py) with BatchNorm on batch statistics and dropout off (training.eval.score_export,
the same code as training/eval.py's torchvision section). As a control, the same model with PyTorch's default
initialisation (torch.manual_seed(seed)) is scored too.

Usage: /usr/bin/python3 test/torch/score_exported.py SPEC.json
SPEC.json: {"images": 1000, "seed": 0, "models": [{"name", "file", "entry", "safetensors"}, ...]}
Prints one JSON object per model and line: name, acc, default_acc, params, ghn (the file's __metadata__.ghn),
or error. Exit status 0 unless SPEC.json itself cannot be read.
"""
import json
import os
import sys

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
sys.path.insert(0, REPO)

import torch  # noqa: E402

from training import data as fdata  # noqa: E402
from training.eval import score_export  # noqa: E402


def main():
    spec = json.load(open(sys.argv[1]))
    torch.set_num_threads(1)
    seed = spec.get('seed', 0)
    x, y = fdata.load('test', spec.get('images', 1000))
    for m in spec['models']:
        res = {'name': m['name']}
        try:
            scores, model = score_export(m['file'], m.get('entry', 'build()'), m['safetensors'], x, y, seed=seed)
            res.update(scores)
            res['params'] = sum(p.numel() for p in model.parameters())
        except Exception as e:  # reported, the mocha test fails on it with the message
            res['error'] = '%s: %s' % (type(e).__name__, e)
        print(json.dumps(res), flush=True)


if __name__ == '__main__':
    main()

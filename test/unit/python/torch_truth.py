#!/usr/bin/python3
"""Truth for the interpreter's unit tests: builds every case with PyTorch in this one process.

stdin: JSON [{id, file, entry, input, dtype?}]; stdout: JSON {id: {stateDict, totalParams, trainableParams, outputShape} | {error}}.
Eval mode, torch.no_grad(); cases are independent modules loaded from their file.
"""
import importlib.util
import json
import os
import sys
import traceback
import warnings

warnings.filterwarnings('ignore')
import torch  # noqa: E402

torch.set_num_threads(1)


def first_tensor(o):
    if isinstance(o, torch.Tensor):
        return o
    if isinstance(o, dict):
        o = list(o.values())
    if isinstance(o, (list, tuple)):
        for x in o:
            t = first_tensor(x)
            if t is not None:
                return t
    return None


def run(case):
    path = case['file']
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = 'ut_' + case['id']
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    model = eval(case['entry'], vars(mod))
    model.eval()
    sd = [{'name': k, 'shape': list(v.shape)} for k, v in model.state_dict().items()]
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    shape = case['input']
    x = torch.randint(0, 10, shape) if case.get('dtype') == 'int64' else torch.randn(*shape)
    with torch.no_grad():
        out = first_tensor(model(x))
    return {'stateDict': sd, 'totalParams': total, 'trainableParams': trainable, 'outputShape': list(out.shape) if out is not None else None}


def main():
    cases = json.load(sys.stdin)
    res = {}
    for c in cases:
        try:
            torch.manual_seed(0)
            res[c['id']] = run(c)
        except Exception as e:  # noqa: BLE001
            res[c['id']] = {'error': f'{type(e).__name__}: {e}', 'trace': traceback.format_exc()[-800:]}
    json.dump(res, sys.stdout)


main()

#!/usr/bin/python3
"""Static-metric truth from PyTorch, for test/unit/metrics/static-vs-torch.test.ts.

Reads a JSON list of cases [{id, file, entry, input}] on stdin, runs them all in this one process, and
prints {id: {totalParams, trainableParams, moduleParams: {path: sum(p.numel() for p in m.parameters())},
outputShape, flops, moduleFlops: {path: flops of the module's subtree}}} where flops are
torch.profiler's (with_flops=True) for aten::conv2d, addmm, mm, bmm (the ops torch 1.13 counts), so that
MACs = flops / 2. Each op is attributed to every module whose forward (directly or through children) ran it.
"""
import importlib.util
import json
import os
import sys
import warnings

import torch
from torch.profiler import ProfilerActivity, profile, record_function

FLOP_OPS = ('aten::conv2d', 'aten::addmm', 'aten::mm', 'aten::bmm')
LABEL = 'ghnlens.metrics:'


def load(path):
    sys.path.insert(0, os.path.dirname(path))
    name = 'm_' + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return vars(mod)


def enclosing_modules(event):
    out, e = set(), event.cpu_parent
    while e is not None:
        if e.name.startswith(LABEL):
            out.add(e.name[len(LABEL):])
        e = e.cpu_parent
    return out


def truth(case):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = eval(case['entry'], load(case['file']))  # noqa: S307 - the test's own entry expression
    model.eval()
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    module_params = {path: sum(p.numel() for p in m.parameters()) for path, m in model.named_modules()}
    stack, handles = [], []
    for path, m in model.named_modules():
        def pre(_m, _i, path=path):
            rf = record_function(LABEL + path)
            rf.__enter__()
            stack.append(rf)

        def post(_m, _i, _o):
            stack.pop().__exit__(None, None, None)
        handles += [m.register_forward_pre_hook(pre), m.register_forward_hook(post)]
    with torch.no_grad(), profile(activities=[ProfilerActivity.CPU], with_flops=True) as prof:
        out = model(torch.randn(*case['input']))
    for h in handles:
        h.remove()
    flops, module_flops = 0, {}
    for e in prof.events():
        if e.name in FLOP_OPS and e.flops:
            flops += e.flops
            for path in enclosing_modules(e):
                module_flops[path] = module_flops.get(path, 0) + e.flops
    return dict(totalParams=total, trainableParams=trainable, moduleParams=module_params,
                outputShape=list(out.shape), flops=flops, moduleFlops=module_flops)


def main():
    torch.set_num_threads(1)
    res = {}
    for case in json.load(sys.stdin):
        try:
            res[case['id']] = truth(case)
        except Exception as e:  # reported per case
            res[case['id']] = dict(error='%s: %s' % (type(e).__name__, e))
    print(json.dumps(res))


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""Ground truth for the parser's corpus, from PyTorch itself.

    /usr/bin/python3 test/torch/corpus_truth.py [--corpus test/corpus/corpus.json] [--ids a,b,...] [--no-cache]

Prints one JSON object {"torch": version, "torchvision": version, "cases": {id: truth}} where each truth is

    totalParams, trainableParams    sum of numel over model.parameters() (shared tensors counted once)
    stateDict                       [{name, shape, dtype}] in model.state_dict() order
    outputShape                     shape of the first tensor output (eval mode)
    flops                           torch.profiler FLOPs (with_flops=True) of aten::conv2d/addmm/mm/bmm: the
                                    conv and matmul-type ops torch 1.13 counts. MACs = flops / 2.
    flopsByOp                       the same per aten op
    flopsByModule                   the same per innermost module path ('' = the root's own forward): every
                                    module call is wrapped in a record_function labelled with its path
    uncountedByModule               {path: n}: ops of those kinds the profiler gave no FLOPs (conv2d with
                                    padding='same' in torch 1.13), by innermost module
or {"error": message} when the case cannot be built or run by torch.

Every case runs in this one process (torch.set_num_threads(2)), in the order given. Results are cached in
.cache/truth/ (ignored by git) keyed by the case, the torch version and the hash of the model's file, so a
local rerun is instant; a fresh checkout (CI) recomputes.
"""
import argparse
import hashlib
import importlib
import importlib.util
import json
import os
import sys
import time
import traceback
import warnings

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(REPO, '.cache', 'truth')
FLOP_OPS = ('aten::conv2d', 'aten::addmm', 'aten::mm', 'aten::bmm')
LABEL = 'ghnlens.module:'
# Bump when what this script measures changes, so stale cache entries are not reused.
SCRIPT_VERSION = 3


def source_path(case):
    f = case['file']
    if f.startswith('torchvision:'):
        import torchvision
        return os.path.join(os.path.dirname(torchvision.__file__), 'models', f.split(':', 1)[1].replace('.', '/') + '.py')
    return os.path.join(REPO, f)


def load_namespace(case):
    f = case['file']
    if f.startswith('torchvision:'):
        return vars(importlib.import_module('torchvision.models.' + f.split(':', 1)[1]))
    path = os.path.join(REPO, f)
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # `from blocks import ...` in a sibling file
    name = 'corpus_' + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return vars(mod)


def cache_key(case, torch_version):
    with open(source_path(case), 'rb') as fh:
        file_hash = hashlib.sha256(fh.read()).hexdigest()
    ident = json.dumps({k: case.get(k) for k in ('file', 'entry', 'input', 'inputDtype')}, sort_keys=True)
    return hashlib.sha256(f'{SCRIPT_VERSION}|{torch_version}|{file_hash}|{ident}'.encode()).hexdigest()[:24]


def first_tensor(out):
    import torch
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, dict):
        out = list(out.values())
    if isinstance(out, (list, tuple)):
        for o in out:
            t = first_tensor(o)
            if t is not None:
                return t
    return None


def innermost_module(event):
    e = event.cpu_parent
    while e is not None:
        if e.name.startswith(LABEL):
            return e.name[len(LABEL):]
        e = e.cpu_parent
    return ''


def truth(case):
    import torch
    from torch.profiler import profile, record_function, ProfilerActivity

    torch.manual_seed(0)
    ns = load_namespace(case)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = eval(case['entry'], ns)  # noqa: S307 - the corpus's own entry expression
    model.eval()

    seen = set()
    total = trainable = 0
    for p in model.parameters():  # parameters() yields a shared tensor once
        if id(p) in seen:
            continue
        seen.add(id(p))
        total += p.numel()
        if p.requires_grad:
            trainable += p.numel()
    state = [{'name': k, 'shape': list(v.shape), 'dtype': str(v.dtype).replace('torch.', '')}
             for k, v in model.state_dict().items()]

    shape = case['input']
    if case.get('inputDtype') == 'int64':
        x = torch.randint(0, 2, shape, dtype=torch.int64)
    else:
        x = torch.randn(*shape)

    # Label every module call with its path so each counted op can be attributed to the innermost module.
    stack = []
    handles = []
    for path, m in model.named_modules():
        def pre(_m, _inp, path=path):
            rf = record_function(LABEL + path)
            rf.__enter__()
            stack.append(rf)

        def post(_m, _inp, _out):
            stack.pop().__exit__(None, None, None)
        handles.append(m.register_forward_pre_hook(pre))
        handles.append(m.register_forward_hook(post))

    # Eval mode. Under no_grad, torch 1.13 takes the fused "fast path" of TransformerEncoderLayer /
    # MultiheadAttention, where linear1+ReLU runs as aten::_addmm_activation, which the profiler reports no
    # FLOPs for (4.2M MACs missing per layer of examples/transformer.py). Models with such layers run with
    # autograd on, where every layer runs its plain ops (same output); the others under no_grad (faster).
    fast_path = (torch.nn.TransformerEncoderLayer, torch.nn.TransformerDecoderLayer, torch.nn.MultiheadAttention)
    grad = any(isinstance(m, fast_path) for m in model.modules())
    with torch.set_grad_enabled(grad), profile(activities=[ProfilerActivity.CPU], with_flops=True) as prof:
        out = model(x)
    for h in handles:
        h.remove()

    by_op = {}
    by_module = {}
    flops = 0
    uncounted = {}
    for e in prof.events():
        if e.name in FLOP_OPS and not e.flops:
            # torch could not compute this op's FLOPs (1.13: conv2d with padding='same'/'valid' logs "Failed
            # to compute flops ... requires padding"): no truth for it; reported so the test leaves it out.
            path = innermost_module(e)
            uncounted[path] = uncounted.get(path, 0) + 1
        if e.name in FLOP_OPS and e.flops:
            flops += e.flops
            by_op[e.name] = by_op.get(e.name, 0) + e.flops
            path = innermost_module(e)
            by_module[path] = by_module.get(path, 0) + e.flops
    t = first_tensor(out)
    return {
        'modelType': type(model).__name__,
        'totalParams': total,
        'trainableParams': trainable,
        'stateDict': state,
        'outputShape': list(t.shape) if t is not None else None,
        'flops': flops,
        'flopsByOp': by_op,
        'flopsByModule': by_module,
        'uncountedByModule': uncounted,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--corpus', default=os.path.join(REPO, 'test', 'corpus', 'corpus.json'))
    ap.add_argument('--ids', default='', help='comma-separated case ids (default: all)')
    ap.add_argument('--no-cache', action='store_true')
    args = ap.parse_args()

    import torch
    import torchvision
    torch.set_num_threads(2)

    with open(args.corpus) as fh:
        cases = json.load(fh)['cases']
    if args.ids:
        wanted = set(args.ids.split(','))
        cases = [c for c in cases if c['id'] in wanted]

    os.makedirs(CACHE, exist_ok=True)
    results = {}
    for case in cases:
        t0 = time.time()
        cached = None
        try:
            key = cache_key(case, torch.__version__)
            cfile = os.path.join(CACHE, f"{case['id']}-{key}.json")
            if not args.no_cache and os.path.exists(cfile):
                with open(cfile) as fh:
                    cached = json.load(fh)
        except OSError as e:
            results[case['id']] = {'error': f'cannot read the model file: {e}'}
            continue
        if cached is not None:
            results[case['id']] = cached
            continue
        try:
            r = truth(case)
            with open(cfile, 'w') as fh:
                json.dump(r, fh)
        except Exception as e:  # a case torch cannot build is reported, not fatal to the others
            r = {'error': f'{type(e).__name__}: {e}', 'traceback': traceback.format_exc(limit=3)}
        results[case['id']] = r
        print(f"corpus_truth: {case['id']} {time.time() - t0:.1f}s", file=sys.stderr)

    json.dump({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'cases': results}, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()

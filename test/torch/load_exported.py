#!/usr/bin/python3
"""Load GHN Lens exports into the real PyTorch models and check them.

Usage: /usr/bin/python3 test/torch/load_exported.py SPEC.json
SPEC.json: a list of {"name", "safetensors", "file" | "module", "entry", "input": [1,3,32,32], "adjust": null | "resnet_cifar"}.
For each: build the model (file: imported from its path; module: a dotted import such as torchvision.models),
read the safetensors with the tiny pure-Python reader below (Debian has no safetensors package),
load_state_dict(strict=True), check every tensor equals the file, run a forward pass.
Prints one JSON object per line; exit status 1 if any check fails.
"""
import importlib
import importlib.util
import json
import os
import struct
import sys

import torch

DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'I64': torch.int64, 'I32': torch.int32, 'F16': torch.float16, 'U8': torch.uint8}
SIZES = {'F32': 4, 'F64': 8, 'I64': 8, 'I32': 4, 'F16': 2, 'U8': 1}


def read_safetensors(path):
    """Minimal safetensors reader: u64 header length, JSON header, raw little-endian data."""
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n].decode('utf-8'))
    meta = header.pop('__metadata__', {})
    base = 8 + n
    out = {}
    for name, e in header.items():
        b, en = e['data_offsets']
        dt = DTYPES[e['dtype']]
        numel = 1
        for d in e['shape']:
            numel *= d
        assert en - b == numel * SIZES[e['dtype']], (name, e)
        t = torch.frombuffer(bytearray(raw[base + b:base + en]), dtype=dt) if numel else torch.empty(0, dtype=dt)
        out[name] = t.reshape(e['shape'])
    return out, meta


def build(spec):
    if spec.get('module'):
        ns = vars(importlib.import_module(spec['module']))
    else:
        path = spec['file']
        sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
        s = importlib.util.spec_from_file_location('ghn_lens_model_' + spec['name'], path)
        m = importlib.util.module_from_spec(s)
        s.loader.exec_module(m)
        ns = vars(m)
    model = eval(spec['entry'], dict(ns))
    if spec.get('adjust') == 'resnet_cifar':
        # models/resnet18_cifar.md: 3x3 stride-1 conv1 (3 -> 64, no bias), no max-pool
        model.conv1 = torch.nn.Conv2d(3, model.conv1.out_channels, 3, stride=1, padding=1, bias=False)
        model.maxpool = torch.nn.Identity()
    return model


def check(spec):
    res = {'name': spec['name'], 'ok': False}
    try:
        torch.manual_seed(0)
        model = build(spec)
        tensors, meta = read_safetensors(spec['safetensors'])
        sd = model.state_dict()
        res['missing'] = sorted(set(sd) - set(tensors))
        res['unexpected'] = sorted(set(tensors) - set(sd))
        model.load_state_dict(tensors, strict=True)
        sd = model.state_dict()
        bad = [k for k in sd if sd[k].shape != tensors[k].shape or sd[k].dtype != tensors[k].dtype or not torch.equal(sd[k], tensors[k])]
        res['mismatched'] = bad
        res['tensors'] = len(sd)
        res['params'] = sum(p.numel() for p in model.parameters())
        model.eval()
        with torch.no_grad():
            y = model(torch.randn(*spec.get('input', [1, 3, 32, 32])))
        y = y[0] if isinstance(y, (tuple, list)) else y
        res['output_shape'] = list(y.shape)
        res['output_finite'] = bool(torch.isfinite(y).all())
        res['ok'] = not bad and res['output_finite']
    except Exception as e:  # report, do not crash: the mocha test reads the line
        res['error'] = '%s: %s' % (type(e).__name__, e)
    return res


def main():
    specs = json.load(open(sys.argv[1]))
    ok = True
    for spec in specs:
        r = check(spec)
        ok = ok and r['ok']
        print(json.dumps(r), flush=True)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()

"""Tiny safetensors reader/writer (the `safetensors` package is not available here).

Layout: u64 little-endian header length n, n bytes of UTF-8 JSON (padded with spaces to a multiple
of 8 so every data section is 8-byte aligned), then raw little-endian row-major tensor data.
"""
import json
import struct
from collections import OrderedDict

import numpy as np
import torch

_DT = {
    'F32': (np.float32, torch.float32), 'F64': (np.float64, torch.float64),
    'F16': (np.float16, torch.float16), 'I64': (np.int64, torch.int64),
    'I32': (np.int32, torch.int32), 'I16': (np.int16, torch.int16),
    'I8': (np.int8, torch.int8), 'U8': (np.uint8, torch.uint8), 'BOOL': (np.bool_, torch.bool),
}
_TORCH2ST = {v[1]: k for k, v in _DT.items()}


def read_header(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n).decode('utf-8'), object_pairs_hook=OrderedDict)
    return header, 8 + n


def load(path):
    """Returns (OrderedDict name -> torch.Tensor, metadata dict)."""
    header, start = read_header(path)
    with open(path, 'rb') as f:
        f.seek(start)
        data = f.read()
    meta = header.pop('__metadata__', {}) or {}
    out = OrderedDict()
    for name, info in header.items():
        npdt, _ = _DT[info['dtype']]
        b, e = info['data_offsets']
        arr = np.frombuffer(data[b:e], dtype=np.dtype(npdt).newbyteorder('<')).reshape(info['shape'])
        out[name] = torch.from_numpy(arr.astype(npdt, copy=True))
    return out, dict(meta)


def save(path, tensors, metadata=None):
    """Writes tensors (an ordered mapping name -> tensor) with optional string metadata."""
    header = OrderedDict()
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    blobs, off = [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        arr = t.numpy()
        arr = arr.astype(arr.dtype.newbyteorder('<'), copy=False)
        raw = arr.tobytes(order='C')
        header[name] = {'dtype': _TORCH2ST[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    hb = json.dumps(header, separators=(',', ':')).encode('utf-8')
    hb += b' ' * ((8 - len(hb) % 8) % 8)
    tmp = str(path) + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(hb)))
        f.write(hb)
        for raw in blobs:
            f.write(raw)
    import os
    os.replace(tmp, path)

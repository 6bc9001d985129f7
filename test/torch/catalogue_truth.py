"""Ground truth for the torch.nn catalogue test: builds each case in PyTorch and reports what PyTorch says.

Usage: python3 catalogue_truth.py cases.json  ->  JSON on stdout, one result per case
(and, when the input is {"cases": [...], "names": [...]}, "missing_names": the spellings torch lacks):
  state:   [[name, shape, dtype, requires_grad, role], ...] in state_dict() order (layers only)
  output:  nested output shapes ({"shape": [...], "dtype": ...}, lists for tuples, null for None)
  flops:   {profiler op name: summed FLOPs} for ops the profiler counts in the call
  adjoint_flops: profiler FLOPs of an equivalent conv2d, for convs the profiler does not count itself
                 (conv1d as a conv2d over a height-1 image; a transposed conv as the conv2d it is the adjoint of)
  formula_macs:  MACs computed from torch's own tensors, where no profiler figure exists (3-d convs, dot, mv)
  attrs:   {name: value} of the module attributes named in the case's attrNames that are plain values
  error:   {"stage": "init"|"forward", "message": ...} when PyTorch rejects the case
Values in the case JSON: {"tensor": shape, "dtype": d, "high": n, "unit": true} builds a tensor, {"module": type, "args", "kwargs"}
a module, {"values": [...]} an int64 tensor with those values, {"dtype_value": "float16"} a torch dtype, {"tuple": [...]} a tuple; other lists become tuples too.
"""
import json
import math
import operator
import os
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.profiler import profile

warnings.filterwarnings("ignore")
torch.manual_seed(0)
DEBUG = bool(os.environ.get("CATALOGUE_TRUTH_DEBUG"))


def build(v):
    if isinstance(v, dict):
        if "values" in v:
            return torch.tensor(v["values"], dtype=getattr(torch, v.get("dtype", "int64")))
        if "tensor" in v:
            shape = v["tensor"]
            dtype = v.get("dtype", "float32")
            if dtype in ("int64", "int32"):
                return torch.randint(0, v.get("high", 3), shape, dtype=getattr(torch, dtype))
            if dtype == "bool":
                return torch.rand(shape) > 0.5
            if dtype.startswith("complex"):
                return torch.randn(shape, dtype=getattr(torch, dtype))
            if v.get("unit"):
                return torch.rand(shape, dtype=getattr(torch, dtype))  # values in [0, 1): probabilities
            return torch.randn(shape, dtype=getattr(torch, dtype))
        if "module" in v:
            return getattr(nn, v["module"])(*build(v.get("args", [])), **{k: build(x) for k, x in v.get("kwargs", {}).items()})
        if "dtype_value" in v:
            return getattr(torch, v["dtype_value"])
        if "list" in v:
            return [build(x) for x in v["list"]]
        if "tuple" in v:
            return tuple(build(x) for x in v["tuple"])
    if isinstance(v, list):
        return tuple(build(x) for x in v)
    return v


_MISSING = object()


def jsonable(v):
    """A module attribute as plain JSON (tuples as lists); _MISSING for tensors, modules, functions."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (tuple, list)):
        items = [jsonable(x) for x in v]
        return _MISSING if any(x is _MISSING for x in items) else items
    return _MISSING


def describe(o):
    if o is None:
        return None
    if isinstance(o, torch.Tensor):
        return {"shape": list(o.shape), "dtype": str(o.dtype).replace("torch.", "")}
    if isinstance(o, (tuple, list)):
        return [describe(x) for x in o]
    if isinstance(o, (int, float, bool)):
        return {"scalar": o}
    return {"other": type(o).__name__}


def sdpa_reference(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """scaled_dot_product_attention as PyTorch 2.x documents it, for a torch that lacks the fused op."""
    factor = scale if scale is not None else 1 / math.sqrt(query.size(-1))
    weights = torch.softmax(query @ key.transpose(-2, -1) * factor + (attn_mask if attn_mask is not None else 0), dim=-1)
    return torch.dropout(weights, dropout_p, True) @ value


class RMSNormReference(nn.Module):
    """nn.RMSNorm as PyTorch 2.4 documents it (weight of normalized_shape), for a torch that lacks it."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(self.normalized_shape)) if elementwise_affine else None

    def forward(self, x):
        return rms_norm_reference(x, self.normalized_shape, self.weight, self.eps)


def rms_norm_reference(x, normalized_shape, weight=None, eps=None):
    """F.rms_norm's definition: x / sqrt(mean(x^2 over the normalized dims) + eps) * weight."""
    dims = tuple(range(-len(normalized_shape), 0))
    if tuple(x.shape[-len(normalized_shape):]) != tuple(normalized_shape):
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape [*, {normalized_shape}], but got input of size{list(x.shape)}")
    y = x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + (eps if eps is not None else torch.finfo(x.dtype).eps))
    return y * weight if weight is not None else y


def resolve(name):
    if name in ("torch.nn.functional.rms_norm", "torch.rms_norm") and not hasattr(F, "rms_norm"):
        return rms_norm_reference
    if name == "torch.nn.functional.scaled_dot_product_attention" and not hasattr(F, "scaled_dot_product_attention"):
        return sdpa_reference
    if name.startswith("operator."):
        return getattr(operator, name.split(".", 1)[1])
    obj = torch
    for part in name.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def tensor_method(name):
    attr = name.split(".", 1)[1]

    def call(self, *a, **k):
        value = getattr(self, attr)
        return value(*a, **k) if callable(value) else value
    return call


def profiled(fn):
    with profile(with_flops=True) as prof:
        result = fn()
    flops = {}
    for e in prof.events():
        if e.flops:
            flops[e.name] = flops.get(e.name, 0) + e.flops
    return result, flops


def conv2d_flops(x, w, stride, padding, dilation, groups):
    """Profiler FLOPs of one conv2d call (the op torch 1.13's profiler knows how to count)."""
    _, flops = profiled(lambda: F.conv2d(x, w, None, stride, padding, dilation, groups))
    return flops.get("aten::conv2d", 0)


def same_padding(module, x):
    """Explicit (possibly asymmetric) padding for padding='same', applied to the input, as ATen does."""
    pad = []
    for k, d in reversed(list(zip(module.kernel_size, module.dilation))):
        total = d * (k - 1)
        pad += [total // 2, total - total // 2]
    return F.pad(x, pad)


def adjoint_flops(module, inp):
    """
    FLOPs of an equivalent conv2d that the profiler does count, where it reports none for the call itself:
    Conv1d (as a conv2d over a height-1 image), string padding (as explicit padding), unbatched inputs
    (as a batch of one), and ConvTranspose1d/2d (as the conv2d it is the adjoint of, run on its output).
    """
    if isinstance(module, (nn.Conv1d, nn.Conv2d)):
        n = 1 if isinstance(module, nn.Conv1d) else 2
        x = inp if inp.dim() == n + 2 else inp.unsqueeze(0)
        padding = module.padding
        if isinstance(padding, str):
            x = same_padding(module, x) if padding == "same" else x
            padding = (0,) * n
        elif module.padding_mode != "zeros":
            padding = (0,) * n  # the module pads the input itself and convolves with no padding
            x = F.pad(x, [p for p in reversed(module.padding) for _ in range(2)], mode=module.padding_mode)
        w = module.weight
        stride, dilation = module.stride, module.dilation
        if n == 1:
            x, w = x.unsqueeze(-2), w.unsqueeze(-2)
            stride, padding, dilation = (1, stride[0]), (0, padding[0]), (1, dilation[0])
        return conv2d_flops(x, w, stride, padding, dilation, module.groups)
    if isinstance(module, (nn.ConvTranspose1d, nn.ConvTranspose2d)):
        # A transposed conv costs exactly as much as the conv it is the adjoint of, run on its output.
        out = module(inp)
        w = module.weight
        if isinstance(module, nn.ConvTranspose1d):
            out, w = out.unsqueeze(-2), w.unsqueeze(-2)
            stride, padding, dilation = (1, module.stride[0]), (0, module.padding[0]), (1, module.dilation[0])
        else:
            stride, padding, dilation = module.stride, module.padding, module.dilation
        if out.dim() == w.dim() - 1:
            out = out.unsqueeze(0)
        return conv2d_flops(out, w, stride, padding, dilation, module.groups)
    return None


def functional_conv(name, inputs, kwargs):
    """The nn module equivalent to an F.convNd / F.conv_transposeNd call (options given as keywords)."""
    op = name.split(".")[-1]
    if op not in ("conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"):
        return None
    w = inputs[1]
    groups = kwargs.get("groups", 1)
    opts = {k: kwargs[k] for k in ("stride", "padding", "dilation", "output_padding") if k in kwargs}
    kernel = tuple(w.shape[2:])
    if op.startswith("conv_transpose"):
        cls = nn.ConvTranspose1d if op.endswith("1d") else nn.ConvTranspose2d
        module = cls(w.shape[0], w.shape[1] * groups, kernel, groups=groups, bias=False, **opts)
    else:
        cls = nn.Conv1d if op.endswith("1d") else nn.Conv2d
        module = cls(w.shape[1] * groups, w.shape[0], kernel, groups=groups, bias=False, **opts)
    with torch.no_grad():
        module.weight.copy_(w)
    return module


def formula_macs(kind, name, target, inputs, output):
    """MACs from torch's own tensors, for the contractions the profiler does not count."""
    if kind == "function" and name.endswith("functional.conv3d"):
        return output.numel() * inputs[1][0].numel()
    if kind == "function" and name.endswith("functional.conv_transpose3d"):
        return inputs[0].numel() * inputs[1][0].numel()
    if kind == "layer" and isinstance(target, nn.Conv3d):
        return output.numel() * target.weight[0].numel()
    if kind == "layer" and isinstance(target, nn.ConvTranspose3d):
        return inputs[0].numel() * target.weight[0].numel()
    op = name.split(".")[-1] if kind == "function" else None
    # aten::dot and aten::mv (also what matmul runs for a 1-D operand) report no FLOPs in torch 1.13.
    if op in ("dot", "inner", "mv") or (op in ("matmul", "imatmul") and min(inputs[0].dim(), inputs[1].dim()) == 1):
        return output.numel() * inputs[0].shape[-1]
    return None


def run_case(case):
    kind = case["kind"]
    result = {"id": case["id"]}
    try:
        args = build(case.get("args", []))
        kwargs = {k: build(v) for k, v in case.get("kwargs", {}).items()}
        if kind == "layer":
            # MultiheadAttention.out_proj's class lives in torch.nn.modules.linear only.
            cls = getattr(nn, case["type"], None) or getattr(nn.modules.linear, case["type"], None)
            if cls is None and case["type"] == "RMSNorm":
                cls = RMSNormReference
            target = cls(*args, **kwargs)
            target.train(not case.get("eval", False))
            params = {id(p) for p in target.parameters()}
            sd = target.state_dict(keep_vars=True)
            result["state"] = [
                [k, list(t.shape), str(t.dtype).replace("torch.", ""), bool(t.requires_grad), "parameter" if id(t) in params else "buffer"]
                for k, t in sd.items()
            ]
            attrs = {}
            for name in case.get("attrNames", []):
                value = jsonable(getattr(target, name, _MISSING))
                if value is not _MISSING:
                    attrs[name] = value
            result["attrs"] = attrs
        else:
            target = tensor_method(case["name"]) if case["name"].startswith("Tensor.") else resolve(case["name"])
    except Exception as e:  # PyTorch rejected the constructor arguments
        result["error"] = {"stage": "init", "message": f"{type(e).__name__}: {e}"}
        return result
    try:
        inputs = build(case.get("inputs", []))
        input_kwargs = {k: build(v) for k, v in case.get("inputKwargs", {}).items()}
        call = target
        if isinstance(target, nn.SyncBatchNorm):
            # SyncBatchNorm refuses CPU tensors; in eval mode it is exactly F.batch_norm after its own input check.
            def call(x, m=target):
                m._check_input_dim(x)
                return F.batch_norm(x, m.running_mean, m.running_var, m.weight, m.bias, False, 0.0, m.eps)
        output, flops = profiled(lambda: call(*inputs, **input_kwargs))
        result["output"] = describe(output)
        result["flops"] = flops
        equivalent = target if kind == "layer" else functional_conv(case["name"], inputs, input_kwargs)
        if equivalent is not None and not flops.get("aten::conv2d"):
            adj = adjoint_flops(equivalent, inputs[0])
            if adj is not None:
                result["adjoint_flops"] = adj
        fm = formula_macs(kind, case.get("name"), target, inputs, output)
        if fm is not None:
            result["formula_macs"] = fm
    except Exception as e:
        result["error"] = {"stage": "forward", "message": f"{type(e).__name__}: {e}"}
    return result


def name_exists(name):
    """Whether a catalogue spelling names something in this torch: torch.*, Tensor.*, operator.*."""
    owner, _, attr = name.rpartition(".")
    if owner == "operator":
        return hasattr(operator, attr)
    if owner == "Tensor":
        return hasattr(torch.Tensor, attr)
    obj = torch
    for part in owner.split(".")[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return False
    return hasattr(obj, attr)


def python_signature(kind, name):
    """[name, default, kind] per parameter of a layer's __init__ ("layer") or forward ("forward"), or of a
    torch.nn.functional function ("function"); None if
    torch has no Python signature for it. Defaults that are not plain JSON come back as {"repr": ...}."""
    import inspect
    if kind in ("layer", "forward"):
        cls = getattr(nn, name, None) or getattr(nn.modules.linear, name, None)
        obj = None if cls is None else cls.__init__ if kind == "layer" else cls.forward
    else:
        obj = getattr(F, name.rsplit(".", 1)[1], None) if name.startswith("torch.nn.functional.") else None
    if obj is None:
        return None
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    params = []
    for p in sig.parameters.values():
        if p.name == "self":
            continue
        if p.default is inspect.Parameter.empty:
            default = {"required": True}
        else:
            default = jsonable(p.default)
            if default is _MISSING:
                default = {"repr": repr(p.default)}
        params.append([p.name, default, p.kind.name])
    return params


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    # Either a list of cases, or {"cases": [...], "names": [...]} to also check that spellings exist.
    cases = spec if isinstance(spec, list) else spec["cases"]
    names = [] if isinstance(spec, list) else spec.get("names", [])
    results = []
    for c in cases:
        if DEBUG:
            print(c["id"], file=sys.stderr, flush=True)
        results.append(run_case(c))
    missing = [n for n in names if not name_exists(n)]
    signatures = {} if isinstance(spec, list) else {
        f"{kind}:{name}": python_signature(kind, name) for kind, name in spec.get("signatures", [])
    }
    json.dump({"torch": torch.__version__, "results": results, "missing_names": missing, "signatures": signatures}, sys.stdout)


if __name__ == "__main__":
    main()

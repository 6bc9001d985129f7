"""The GHN graph of a live PyTorch model, built exactly as the reference (ppuda `Graph`) does:
docs/ghn2-architecture.md sections 3 (tracing, Linear fix-up, input node, networkx-2.8 generation
topological sort, filter passes, virtual edges, features) and 4 (name matching, shape keys, pruning).

`build_graph(model)` returns a `GhnGraph`: node types, shape indices, edges (src, dst, weight) and the
parameter entries that the GHN decodes. Graphs are plain data (picklable), so they can be cached.
"""
import re
import sys
from collections import OrderedDict, deque

import numpy as np
import torch
import torch.nn as nn

from .ghn2 import PRIM_ID, CIFAR10_CONFIG, shape_indices, param_key

sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))

try:  # torchvision's LayerNorm2d (ConvNeXt), if present
    from torchvision.models.convnext import LayerNorm2d as _TvLayerNorm2d
except Exception:  # pragma: no cover
    _TvLayerNorm2d = None

_PARAM_MODULES = {nn.Conv2d: 'conv', nn.Linear: 'conv', nn.BatchNorm2d: 'bn', nn.LayerNorm: 'ln'}
if _TvLayerNorm2d is not None:
    _PARAM_MODULES[_TvLayerNorm2d] = 'ln'
_NORM_TYPES = tuple(t for t, v in _PARAM_MODULES.items() if v in ('bn', 'ln'))

# autograd function names (with everything from 'Backward' removed) that are graph primitives
_FN_PRIMS = {'Mean': 'glob_avg', 'AdaptiveAvgPool2D': 'glob_avg', 'MaxPool2DWithIndices': 'max_pool',
             'AvgPool2D': 'avg_pool', 'Clone': 'msa', 'Mul': 'cse', 'Add': 'sum', 'Cat': 'concat'}


def _module_prim(module):
    for t, v in _PARAM_MODULES.items():
        if type(module) is t:
            return v
    return None


def _fn_base(name):
    i = name.find('Backward')
    return name[:i] if i >= 0 else name


class GhnGraph:
    """Plain-data graph. node_type [N], shape_ind [N,4], edges [E,3] (src,dst,weight),
    entries: list of dicts {node, key, targets: [(param name, shape, is_weight)]}, names [N],
    shapes [N], pruned: list of parameter names no node matched."""

    def __init__(self, node_type, shape_ind, edges, entries, names=None, shapes=None, pruned=None):
        self.node_type = list(node_type)
        self.shape_ind = [list(s) for s in shape_ind]
        self.edges = np.asarray(edges, dtype=np.int32).reshape(-1, 3)
        self.entries = entries
        self.names = names
        self.shapes = shapes
        self.pruned = pruned or []

    @property
    def n_nodes(self):
        return len(self.node_type)

    def __repr__(self):
        return 'GhnGraph(nodes=%d, edges=%d, params=%d)' % (self.n_nodes, len(self.edges), len(self.entries))


def _trace(model, input_size):
    param_map = {}
    for mname, m in model.named_modules():
        for pname, p in m.named_parameters(recurse=False):
            param_map[id(p)] = ((mname + '.' + pname) if mname else pname, m)

    x = torch.randn(1, *input_size)
    with torch.enable_grad():
        out = model(x)
    if isinstance(out, (tuple, list)):
        out = out[0]

    nodes = OrderedDict()  # link -> dict
    keep = []              # keep autograd objects alive so id() stays unique
    edges = []
    seen = {}

    def get_attr(fn):
        attrs = {}
        for attr in dir(fn):
            if not attr.startswith('_saved_'):
                continue
            try:
                val = getattr(fn, attr)
            except Exception:
                continue
            attr = attr[len('_saved_'):]
            if torch.is_tensor(val):
                attrs[attr] = '[saved tensor]'
            elif isinstance(val, tuple) and any(torch.is_tensor(t) for t in val):
                attrs[attr] = '[saved tensors]'
            else:
                attrs[attr] = str(val)
        return attrs

    def traverse(fn):
        if fn in seen:
            return seen[fn]
        keep.append(fn)
        fn_name = type(fn).__name__
        node_link, link_start = None, None
        if 'AccumulateGrad' not in fn_name:
            leaves = []
            for u, _ in fn.next_functions:
                if u is not None and hasattr(u, 'variable'):
                    var = u.variable
                    if id(var) not in param_map:
                        continue
                    name, module = param_map[id(var)]
                    if _module_prim(module) is None:
                        print('warning: %s (%s) is not supported by the GHN; skipped' % (name, type(module).__name__),
                              file=sys.stderr)
                        continue
                    if isinstance(module, _NORM_TYPES) and '.bias' in name:
                        continue
                    leaves.append(dict(id=u, name=name, shape=tuple(var.shape), module=module, attrs={}))
            if not leaves:
                leaves.append(dict(id=fn, name=fn_name, shape=None, module=None, attrs=get_attr(fn)))
            for leaf in leaves:
                keep.append(leaf['id'])
                node_link = id(leaf['id'])
                if link_start is None:
                    link_start = node_link
                seen[leaf['id']] = (node_link, leaf['name'])
                nodes[node_link] = leaf
        seen[fn] = (node_link, fn_name)
        for u, _ in getattr(fn, 'next_functions', ()):
            if u is not None:
                link_, name_ = traverse(u)
                if link_ is not None and link_start != link_:
                    edges.append((link_start, link_) if 'bias' in name_ else (link_, link_start))
        return node_link, fn_name

    traverse(out.grad_fn)
    return list(nodes.values()), [(a, b) for a, b in edges], [id(n['id']) for n in nodes.values()]


def _topo_generations(n, succ):
    """networkx >= 2.6 topological_sort of DiGraph(A): Kahn's algorithm by generations, successors in
    increasing column index."""
    indeg = [0] * n
    for u in range(n):
        for v in succ[u]:
            indeg[v] += 1
    gen = [u for u in range(n) if indeg[u] == 0]
    order = []
    while gen:
        nxt = []
        for u in gen:
            for v in sorted(succ[u]):
                indeg[v] -= 1
                if indeg[v] == 0:
                    nxt.append(v)
        order.extend(gen)
        gen = nxt
    if len(order) != n:
        raise ValueError('graph has a cycle')
    return order


def build_graph(model, input_size=(3, 32, 32), ve_cutoff=50, config=None, strict=False):
    """Builds the reference GHN-2 graph of `model` (traced on one random input of `input_size`)."""
    config = config or CIFAR10_CONFIG
    max_shape = list(config['max_shape'])
    if isinstance(input_size, int):
        input_size = (3, input_size, input_size)
    raw_nodes, raw_edges, links = _trace(model, tuple(input_size))
    idx = {l: i for i, l in enumerate(links)}
    n = len(raw_nodes) + 1  # + input node
    A = [set() for _ in range(n)]  # successor sets (real edges)
    for a, b in raw_edges:
        A[idx[a]].add(idx[b])

    # Linear fix-up: input -> weight -> bias (or weight -> matmul)
    for i, nd in enumerate(raw_nodes):
        if isinstance(nd['module'], nn.Linear) and '.weight' in nd['name']:
            for s in sorted(A[i]):
                for j in range(n):
                    if j != i and s in A[j]:
                        A[j].discard(s)
                        A[j].add(i)

    names = [nd['name'] for nd in raw_nodes] + ['input']
    mods = [nd['module'] for nd in raw_nodes] + [None]
    shapes = [nd['shape'] for nd in raw_nodes] + [None]
    attrs = [nd['attrs'] for nd in raw_nodes] + [{}]
    inp = n - 1
    indeg = [0] * n
    for u in range(n):
        for v in A[u]:
            indeg[v] += 1
    sources = [i for i in range(n - 1) if indeg[i] == 0]
    if strict:
        assert len(sources) == 1, 'expected one node without inputs, got %d' % len(sources)
    for s in sources:
        A[inp].add(s)
    for u in range(n):
        A[u].discard(u)

    order = _topo_generations(n, A)
    pos = {old: k for k, old in enumerate(order)}
    names = [names[o] for o in order]
    mods = [mods[o] for o in order]
    shapes = [shapes[o] for o in order]
    attrs = [attrs[o] for o in order]
    A = [set(pos[v] for v in A[o]) for o in order]
    # (pos_enc re-wiring of section 3.4 is specific to ppuda's PosEnc module, which is not supported here)

    # ---- filtering ----
    alive = list(range(n))  # current node list (indices into the arrays above)
    pred = [set() for _ in range(n)]
    for u in range(n):
        for v in A[u]:
            pred[v].add(u)

    def remove(i):
        for p in pred[i]:
            for s in A[i]:
                if p != s:
                    A[p].add(s)
                    pred[s].add(p)
        for p in pred[i]:
            A[p].discard(i)
        for s in A[i]:
            pred[s].discard(i)
        A[i] = set()
        pred[i] = set()
        alive.remove(i)

    def is_fn(i):
        return mods[i] is None and names[i] != 'input'

    def remove_pattern(pattern, should_remove):
        while True:
            hit = None
            for k, i in enumerate(alive):
                if is_fn(i) and pattern in names[i] and should_remove(k, i):
                    hit = i
                    break
            if hit is None:
                return
            remove(hit)

    remove_pattern('Mul', lambda k, i: not (k >= 2 and names[alive[k - 2]].startswith('Hardswish')))
    remove_pattern('Clone', lambda k, i: not (k >= 11 and names[alive[k - 11]].startswith('Softmax')))
    for i in list(alive):
        if is_fn(i) and _fn_base(names[i]) not in _FN_PRIMS:
            remove(i)
    remove_pattern('Mean', lambda k, i: attrs[i].get('keepdim') != 'True')
    remove_pattern('Add', lambda k, i: len(pred[i]) < 2)
    remove_pattern('Cat', lambda k, i: len(pred[i]) < 2)

    # re-index
    new = {old: k for k, old in enumerate(alive)}
    N = len(alive)
    names = [names[i] for i in alive]
    mods = [mods[i] for i in alive]
    shapes = [shapes[i] for i in alive]
    attrs = [attrs[i] for i in alive]
    succ = [sorted(new[v] for v in A[i]) for i in alive]

    # ---- virtual edges: BFS shortest paths over real edges, cutoff ve_cutoff ----
    edges = []
    for u in range(N):
        dist = {u: 0}
        q = deque([u])
        while q:
            a = q.popleft()
            if dist[a] >= ve_cutoff:
                continue
            for b in succ[a]:
                if b not in dist:
                    dist[b] = dist[a] + 1
                    q.append(b)
        real = set(succ[u])
        for v in sorted(dist):
            if v == u:
                continue
            edges.append((u, v, 1 if v in real else dist[v]))

    # ---- features ----
    node_type, node_shape = [], []
    for i in range(N):
        m = mods[i]
        if names[i] == 'input':
            prim, shp = 'input', None
        elif m is not None:
            if 'bias' in names[i]:
                prim = 'bias'
            elif isinstance(m, nn.Conv2d) and m.groups > 1:
                prim = 'dil_conv' if min(m.dilation) > 1 else 'sep_conv'
            else:
                prim = _module_prim(m)
            shp = shapes[i]
        else:
            prim = _FN_PRIMS[_fn_base(names[i])]
            shp = None
            if prim in ('max_pool', 'avg_pool'):
                ks = [int(s) for s in re.findall(r'\d+', attrs[i].get('kernel_size', ''))]
                if not ks:
                    ks = [3, 3]
                if len(ks) == 1:
                    ks = ks * 2
                shp = (1, 1, ks[0], ks[1])
        node_type.append(PRIM_ID[prim])
        node_shape.append(shp)
    shape_ind = [shape_indices(s, config) for s in node_shape]

    # ---- matching nodes to parameters (section 4) ----
    lookup = OrderedDict()
    for mname, m in model.named_modules():
        for attr in ('weight', 'bias'):
            t = getattr(m, attr, None)
            if isinstance(t, torch.Tensor):
                lookup[(mname + '.' if mname else '') + attr] = (m, attr == 'weight', tuple(t.shape))
    matched = set()
    entries = []
    for i in range(N):
        if mods[i] is None:
            continue
        nm = names[i]
        if not (nm.endswith('.weight') or nm.endswith('.bias') or nm.endswith('in_proj_weight')
                or nm.endswith('in_proj_bias')):
            nm = nm + '.weight'
        if nm not in lookup:
            continue
        m, is_w, sz = lookup[nm]
        targets = [(nm, sz, is_w)]
        if isinstance(m, _NORM_TYPES) and is_w:
            bname = nm[:-len('weight')] + 'bias'
            if bname in lookup:
                targets.append((bname, lookup[bname][2], False))
        for t in targets:
            matched.add(t[0])
        key = param_key(shapes[i], i == N - 2, i == N - 1, max_shape)
        entries.append(dict(node=i, key=key, targets=targets))
    pruned = []
    for nm, (m, is_w, sz) in lookup.items():
        if is_w and nm not in matched:
            pruned.append(nm)
            bname = nm[:-len('weight')] + 'bias'
            if bname in lookup:
                pruned.append(bname)
    return GhnGraph(node_type, shape_ind, edges, entries, names=names, shapes=node_shape, pruned=pruned)

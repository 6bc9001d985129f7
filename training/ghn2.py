"""GHN-2 (Knyazev et al. 2021) in PyTorch, architecturally the reference (ppuda) GHN-2 with its exact
state_dict key names, written from ../shared/docs/ghn2-architecture.md (sections 1, 4-9).

The forward pass is differentiable and batched over several graphs: `GHN2.predict(graphs)` returns, per
graph, a dict of predicted tensors keyed by the model's parameter names. `functional_forward` runs a
target network with those tensors (torch.nn.utils.stateless.functional_call), so a loss on the
network's outputs backpropagates into the GHN.

Beyond the reference: decoder branch 1 does not crash for input-channel counts whose key does not
divide 64 (section 11); kernels larger than the decoder's spatial size are tiled instead of failing.
"""
import json
import math
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

PRIMITIVES = ['max_pool', 'avg_pool', 'sep_conv', 'dil_conv', 'conv', 'msa', 'cse', 'sum', 'concat',
              'input', 'bias', 'bn', 'ln', 'pos_enc', 'glob_avg']
PRIM_ID = {p: i for i, p in enumerate(PRIMITIVES)}

CIFAR10_CONFIG = OrderedDict([('max_shape', [64, 64, 11, 11]), ('num_classes', 10), ('hypernet', 'gatedgnn'),
                              ('decoder', 'conv'), ('weight_norm', True), ('ve', True), ('layernorm', True),
                              ('hid', 32)])
IMAGENET_CONFIG = OrderedDict(CIFAR10_CONFIG, max_shape=[64, 64, 16, 16], num_classes=1000)


def config_json(config):
    """The `__metadata__.config` string exactly as in the reference fixture checkpoint."""
    c = OrderedDict((k, config[k]) for k in CIFAR10_CONFIG)
    c['max_shape'] = list(c['max_shape'])
    return json.dumps(c)


# ----------------------------------------------------------------------------------------------
# Shape encoder tables (section 5)

def channel_table(num_classes):
    return sorted(set([1, 3, num_classes] + list(range(8, 57, 8)) + list(range(64, 4081, 16))
                      + list(range(4096, 8193, 32))))


def spatial_table(s):
    return sorted(set(list(range(1, max(12, s), 2)) + [14, 16]))


def _nearest(table, v):
    best, bd = 0, None
    for i, t in enumerate(table):  # ascending, so ties keep the smaller value
        d = abs(t - v)
        if bd is None or d < bd:
            best, bd = i, d
    return best


def channel_index(table, v):
    v = int(v)
    if v in table:
        return table.index(v)
    if 4 <= v <= 7:
        return table.index(8)
    if v >= table[-1]:
        return len(table) - 1
    return _nearest(table, v)


def spatial_index(table, v):
    v = int(v)
    if v in table:
        return table.index(v)
    if v == 2:
        return table.index(3)
    if v >= table[-1]:
        return len(table) - 1
    return _nearest(table, v)


def shape_to_4d(sz):
    sz = [int(s) for s in sz]
    if len(sz) == 1:
        return [sz[0], 1, 1, 1]
    if len(sz) == 2:
        return [sz[0], sz[1], 1, 1]
    if len(sz) == 3:
        if sz[0] == 1 and sz[1] > 1 and sz[2] > 1:
            p = int(math.isqrt(sz[1]))
            return [1, sz[2], p, p]
        return [sz[0], sz[1], sz[2], 1]
    return sz[:4]


def shape_indices(shape, config):
    """ShapeEncoder lookup indices (c_out, c_in, kh, kw) for a node shape (None: the dummy rows)."""
    ct = channel_table(config['num_classes'])
    st = spatial_table(config['max_shape'][2])
    if shape is None:
        return [len(ct), len(ct), len(st), len(st)]
    s = shape_to_4d(shape)
    return [channel_index(ct, s[0]), channel_index(ct, s[1]), spatial_index(st, s[2]), spatial_index(st, s[3])]


# ----------------------------------------------------------------------------------------------
# Shape keys (section 4) and tiling / normalisation (sections 8, 9)

def min_sz(sz, j, max_shape):
    n = min(int(sz[j]), max_shape[j])
    if n % 3 == 0:
        n = n // 3 * 4
    if n >= max_shape[j] / 2:
        n = max_shape[j]
    return n


def param_key(sz, last_weight, last_bias, max_shape):
    sz = list(sz)
    if len(sz) == 1:
        return (min_sz(sz, 0, max_shape), -1 if last_bias else 0)
    if last_weight and len(sz) == 2:
        return (min_sz(sz, 0, max_shape), min_sz(sz, 1, max_shape))
    if len(sz) == 2:
        return (min_sz(sz, 0, max_shape), min_sz(sz, 1, max_shape), 1, 1)
    if len(sz) == 3:
        return (min_sz(sz, 0, max_shape), min_sz(sz, 1, max_shape), min_sz(sz, 2, max_shape))
    return (min_sz(sz, 0, max_shape), min_sz(sz, 1, max_shape), int(sz[2]), int(sz[3]))


def key_kind(key):
    if len(key) == 4:
        return 'conv'
    if len(key) == 2 and key[1] > 0:
        return 'cls_w'
    if len(key) == 2 and key[1] == -1:
        return 'cls_b'
    return '1d'  # (n, 0) and 3-D keys


def tile_params(w, t):
    """Slice then tile (block repetition along dims 0 and 1) to the target shape t (section 8)."""
    t = list(t)
    if len(t) == 1:
        while w.dim() > 1:
            w = w[:, 0]
        w = w[:t[0]]
    elif len(t) == 2:
        while w.dim() > 2:
            w = w[..., 0]
        w = w[:t[0], :t[1]]
    else:
        while w.dim() < len(t):
            w = w.unsqueeze(-1)
        w = w[tuple(slice(0, n) for n in t)]
    for d in range(min(2, len(t))):
        if w.shape[d] < t[d]:
            reps = [1] * w.dim()
            reps[d] = int(math.ceil(t[d] / w.shape[d]))
            w = w.repeat(*reps)
    # beyond the reference: spatial dims shorter than the target are tiled too (no shape failure)
    for d in range(2, len(t)):
        if w.shape[d] < t[d]:
            reps = [1] * w.dim()
            reps[d] = int(math.ceil(t[d] / w.shape[d]))
            w = w.repeat(*reps)
    return w[tuple(slice(0, n) for n in t)]


def normalize(p, is_weight):
    """Operation-dependent normalisation (section 9), applied to the tiled tensor."""
    if p.dim() >= 2:
        if p.dim() > 2 and p.shape[0] == 1 and p.shape[2] >= 11:
            return p  # positional encoding
        beta = 1. if (p.dim() > 2 and (p.shape[1] == 1 or (p.dim() > 3 and p.shape[2] < p.shape[3]))) else 2.
        fan_in = p[0].numel()
        return p * math.sqrt(beta / fan_in)
    if is_weight:
        return 2. * torch.sigmoid(0.5 * p)
    return torch.tanh(0.2 * p)


# ----------------------------------------------------------------------------------------------
# Modules (names match the reference state dict)

class MLP(nn.Module):
    def __init__(self, in_f, hid, out_f):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(in_f, hid), nn.ReLU(), nn.Linear(hid, out_f), nn.ReLU())

    def forward(self, x):
        return self.fc(x)


class GatedGNN(nn.Module):
    def __init__(self, hid=32, ve=True):
        super().__init__()
        self.ve = ve
        self.mlp = MLP(hid, hid // 2 if ve else hid, hid)
        if ve:
            self.mlp_ve = MLP(hid, hid // 2, hid)
        self.gru = nn.GRUCell(hid, hid)

    def forward(self, x, c1, cv):
        """x [G,N,hid] initial states; c1 [G,N,N] real-edge indicator A==1; cv [G,N,N] = 1/A where A>=1.
        One forward sweep (0..N-1) then one backward sweep (N-1..0), sequential in-place updates.
        Node indices are topologically sorted, so in the forward sweep every predecessor of v is
        already final when v is updated; its MLP outputs are accumulated once into the messages."""
        G, N, H = x.shape
        h = list(x.unbind(1))
        for direction in (0, 1):
            acc = x.new_zeros(G, N, H)
            order = range(N) if direction == 0 else range(N - 1, -1, -1)
            for v in order:
                h[v] = self.gru(acc[:, v], h[v])
                if (direction == 0 and v == N - 1) or (direction == 1 and v == 0):
                    continue
                if direction == 0:
                    a1, av = c1[:, v, :], cv[:, v, :]      # edges v -> u, for the successors u
                else:
                    a1, av = c1[:, :, v], cv[:, :, v]      # edges u -> v, for the predecessors u
                m = self.mlp(h[v])
                upd = a1.unsqueeze(-1) * m.unsqueeze(1)
                if self.ve:
                    upd = upd + av.unsqueeze(-1) * self.mlp_ve(h[v]).unsqueeze(1)
                acc = acc + upd
        return torch.stack(h, 1)


class ShapeEncoder(nn.Module):
    def __init__(self, hid, num_classes, max_shape):
        super().__init__()
        self.n_channels = len(channel_table(num_classes))
        self.n_spatial = len(spatial_table(max_shape[2]))
        self.embed_spatial = nn.Embedding(self.n_spatial + 1, hid // 4)
        self.embed_channel = nn.Embedding(self.n_channels + 1, hid // 4)

    def forward(self, shape_ind):
        """shape_ind [..., 4] (long) -> [..., hid]"""
        return torch.cat([self.embed_channel(shape_ind[..., 0]), self.embed_channel(shape_ind[..., 1]),
                          self.embed_spatial(shape_ind[..., 2]), self.embed_spatial(shape_ind[..., 3])], -1)


class ConvDecoder(nn.Module):
    def __init__(self, hid, max_shape, num_classes):
        super().__init__()
        self.S = max_shape[2]
        self.mo, self.mi = max_shape[0], max_shape[1]
        self.hid4 = hid * 4
        self.fc = nn.Sequential(nn.Linear(hid, hid * 4 * self.S * self.S), nn.ReLU())
        self.conv = nn.Sequential(nn.Conv2d(hid * 4, hid * 8, 1), nn.ReLU(), nn.Conv2d(hid * 8, self.mo * self.mi, 1))
        self.class_layer_predictor = nn.Sequential(nn.ReLU(), nn.Conv2d(self.mo, num_classes, 1))
        self._cache = {}

    def _rows(self, h, w):
        k = ('fc', h, w)
        if k not in self._cache:
            S = self.S
            self._cache[k] = torch.tensor([c * S * S + i * S + j for c in range(self.hid4)
                                           for i in range(h) for j in range(w)], dtype=torch.long)
        return self._cache[k]

    def _sel(self, n_out, n_in):
        k = ('conv', n_out, n_in)
        if k not in self._cache:
            self._cache[k] = torch.tensor([o * self.mi + i for o in range(n_out) for i in range(n_in)],
                                          dtype=torch.long)
        return self._cache[k]

    def forward(self, z, key, class_pred=False):
        """z [B,hid]; key (ko, ki, kh, kw) (classifier: (ko, ki)). Returns raw [B,n_out,n_in,h,w]
        or, for the classifier, [B,num_classes,n_in]."""
        if class_pred:
            ko, ki, kh, kw = key[0], key[1], 1, 1
        else:
            ko, ki, kh, kw = key
        B, S = z.shape[0], self.S
        h, w = min(kh, S), min(kw, S)
        dev = z.device
        if h == S and w == S:
            f = F.relu(self.fc[0](z))
        else:
            rows = self._rows(h, w).to(dev)
            f = F.relu(F.linear(z, self.fc[0].weight[rows], self.fc[0].bias[rows]))
        f = f.view(B, self.hid4, h, w).permute(0, 2, 3, 1)  # [B,h,w,128]
        c0, c2 = self.conv[0], self.conv[2]
        g = F.relu(F.linear(f, c0.weight.view(c0.out_channels, -1), c0.bias))
        branch1 = ki <= self.mi // 2 or (ko < self.mo and not class_pred)
        if branch1:
            n_out = self.mo if class_pred else min(self.mo, ko)
            n_in = min(self.mi, ki)
        else:
            n_out, n_in = self.mo, self.mi
        w2 = c2.weight.view(c2.out_channels, -1)
        if n_out == self.mo and n_in == self.mi:
            W = F.linear(g, w2, c2.bias)
        else:
            sel = self._sel(n_out, n_in).to(dev)
            W = F.linear(g, w2[sel], c2.bias[sel])
        W = W.permute(0, 3, 1, 2).reshape(B, n_out, n_in, h, w)
        if branch1 and min(kh, kw) > min(h, w):
            W = W.repeat(1, 1, 1, 2, 2)
        if class_pred:
            W = self.class_layer_predictor(W[:, :, :, :, 0])  # [B,64,n_in,1] -> [B,nc,n_in,1]
            W = W[:, :, :, 0]
        return W


class Decoder1D(nn.Module):
    def __init__(self, hid, out):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(hid, hid * 2), nn.ReLU(), nn.Linear(hid * 2, out))

    def forward(self, x):
        return self.fc(x)


class GHN2(nn.Module):
    def __init__(self, max_shape=(64, 64, 11, 11), num_classes=10, hypernet='gatedgnn', decoder='conv',
                 weight_norm=True, ve=True, layernorm=True, hid=32):
        super().__init__()
        assert hypernet == 'gatedgnn' and decoder == 'conv', 'only the GHN-2 configuration is implemented'
        self.config = OrderedDict([('max_shape', list(max_shape)), ('num_classes', num_classes),
                                   ('hypernet', hypernet), ('decoder', decoder), ('weight_norm', weight_norm),
                                   ('ve', ve), ('layernorm', layernorm), ('hid', hid)])
        self.max_shape = list(max_shape)
        self.num_classes = num_classes
        self.weight_norm = weight_norm
        self.hid = hid
        if layernorm:
            self.ln = nn.LayerNorm(hid)
        self.embed = nn.Embedding(len(PRIMITIVES), hid)
        self.shape_enc = ShapeEncoder(hid, num_classes, self.max_shape)
        self.gnn = GatedGNN(hid, ve)
        self.decoder = ConvDecoder(hid, self.max_shape, num_classes)
        self.decoder_1d = Decoder1D(hid, self.max_shape[0] * 2)
        self.bias_class = nn.Sequential(nn.ReLU(), nn.Linear(self.max_shape[0], num_classes))

    # -- embeddings ------------------------------------------------------------------------
    def _batch(self, graphs, device):
        G = len(graphs)
        N = max(g.n_nodes for g in graphs)
        nt = torch.zeros(G, N, dtype=torch.long)
        si = torch.zeros(G, N, 4, dtype=torch.long)
        dummy = torch.tensor(shape_indices(None, self.config), dtype=torch.long)
        si[:] = dummy
        c1 = torch.zeros(G, N, N)
        cv = torch.zeros(G, N, N)
        for b, g in enumerate(graphs):
            n = g.n_nodes
            nt[b, :n] = torch.as_tensor(g.node_type, dtype=torch.long)
            si[b, :n] = torch.as_tensor(g.shape_ind, dtype=torch.long)
            e = torch.as_tensor(g.edges, dtype=torch.long).view(-1, 3)
            if len(e):
                wgt = e[:, 2].float()
                c1[b, e[:, 0], e[:, 1]] = (e[:, 2] == 1).float()
                cv[b, e[:, 0], e[:, 1]] = 1.0 / wgt
        return nt.to(device), si.to(device), c1.to(device), cv.to(device)

    def embed_graphs(self, graphs, return_all=False):
        """Node embeddings [G,N,hid] after the GNN and LayerNorm (x_ln). Padded rows are garbage."""
        dev = self.embed.weight.device
        nt, si, c1, cv = self._batch(graphs, dev)
        x_embed = self.embed(nt)
        x_init = x_embed + self.shape_enc(si)
        x_gnn = self.gnn(x_init, c1, cv)
        x_ln = self.ln(x_gnn) if hasattr(self, 'ln') else x_gnn
        if return_all:
            return dict(x_embed=x_embed, x_init=x_init, x_gnn=x_gnn, x_ln=x_ln)
        return x_ln

    # -- decoding --------------------------------------------------------------------------
    def decode(self, x_ln, graphs, return_raw=False):
        """Returns, per graph, OrderedDict param name -> predicted tensor (and raw decoder outputs)."""
        groups = OrderedDict()
        for b, g in enumerate(graphs):
            for ent in g.entries:
                groups.setdefault(tuple(ent['key']), []).append((b, ent))
        outs = [OrderedDict() for _ in graphs]
        raws = [OrderedDict() for _ in graphs]
        for key, items in groups.items():
            bi = torch.tensor([b for b, _ in items], device=x_ln.device)
            ni = torch.tensor([e['node'] for _, e in items], device=x_ln.device)
            z = x_ln[bi, ni]
            kind = key_kind(key)
            if kind == 'conv':
                W = self.decoder(z, key)
            elif kind == 'cls_w':
                W = self.decoder(z, key, class_pred=True)
            else:
                W = self.decoder_1d(z).view(len(items), 2, -1)
                if kind == 'cls_b':
                    W = self.bias_class(W)
            for r, (b, ent) in enumerate(items):
                for name, shape, is_w in ent['targets']:
                    if kind in ('1d', 'cls_b'):
                        raw = W[r, 0 if is_w else 1]
                        if len(key) == 3:
                            raw = raw.view(-1, 1, 1)
                    else:
                        raw = W[r]
                    p = tile_params(raw, shape)
                    if self.weight_norm:
                        p = normalize(p, is_w)
                    outs[b][name] = p
                    if return_raw:
                        raws[b][name] = raw
        if return_raw:
            return outs, raws
        return outs

    def predict(self, graphs, return_raw=False):
        return self.decode(self.embed_graphs(graphs), graphs, return_raw=return_raw)

    # -- checkpoints -------------------------------------------------------------------------
    @classmethod
    def from_config(cls, config):
        c = dict(config)
        return cls(**{k: c[k] for k in CIFAR10_CONFIG})

    @classmethod
    def load(cls, path, map_location='cpu'):
        """Loads a .safetensors (with __metadata__.config) or a reference .pt container."""
        path = str(path)
        if path.endswith('.safetensors'):
            from . import safetensors_io
            sd, meta = safetensors_io.load(path)
            config = json.loads(meta['config'])
        else:
            ck = torch.load(path, map_location=map_location)
            sd, config = ck['state_dict'], ck['config']
        ghn = cls.from_config(config)
        ghn.load_state_dict(sd, strict=True)
        return ghn

    def save_safetensors(self, path, extra_metadata=None):
        from . import safetensors_io
        meta = OrderedDict([('config', config_json(self.config))])
        if extra_metadata:
            meta.update(extra_metadata)
        safetensors_io.save(path, OrderedDict((k, v.float()) for k, v in self.state_dict().items()), meta)


def functional_forward(model, params, x):
    """Runs `model` on x with the predicted `params` (name -> tensor) in place of its parameters,
    differentiably. Parameters that were not predicted keep their own values."""
    return torch.nn.utils.stateless.functional_call(model, params, (x,))


def set_bn_batch_stats(model):
    """BatchNorm on batch statistics, as the reference does after prediction (bn_train=True)."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.train()
            m.track_running_stats = False
            m.running_mean = None
            m.running_var = None
    return model

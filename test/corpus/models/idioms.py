"""Python idioms that real model code uses to build and run layers, each in a small model of its own:
add_module / setattr / getattr with f-strings, nn.ModuleDict, **kwargs and config dicts, classmethod
constructors, chunk/split/einsum, F.interpolate, nn.Unflatten, a learnable scalar gate (SAGAN),
spectral_norm, nn.MultiheadAttention (sequence first), Sequential subclasses with super().forward,
self.training branches, and frozen parameters with buffers (persistent or not)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm


class NamedLayers(nn.Module):
    """Layers registered by name in a loop and fetched back with getattr."""

    def __init__(self, widths=(32, 64, 128), in_ch=3, num_classes=10):
        super().__init__()
        self.num_stages = len(widths)
        for i, w in enumerate(widths):
            self.add_module(f'conv{i + 1}', nn.Conv2d(in_ch, w, 3, padding=1))
            setattr(self, f'bn{i + 1}', nn.BatchNorm2d(w))
            in_ch = w
        self.heads = nn.ModuleDict({
            'logits': nn.Linear(in_ch, num_classes),
            'aux': nn.Linear(in_ch, 1),
        })

    def forward(self, x):
        for i in range(1, self.num_stages + 1):
            x = getattr(self, f'bn{i}')(getattr(self, f'conv{i}')(x))
            x = F.max_pool2d(F.relu(x), 2)
        x = x.mean(dim=(2, 3))
        return self.heads['logits'](x), self.heads['aux'](x)


class GatedConvNet(nn.Module):
    """GLU-style gates (`chunk`), a split into two branches, and a classmethod building it from a dict."""

    def __init__(self, channels=64, depth=3, num_classes=10, **kwargs):
        super().__init__()
        self.stem = nn.Conv2d(kwargs.get('in_channels', 3), channels, 3, padding=1)
        self.gates = nn.ModuleList([nn.Conv2d(channels, 2 * channels, 3, padding=1) for _ in range(depth)])
        self.fc = nn.Linear(channels, num_classes)

    @classmethod
    def from_config(cls, cfg):
        return cls(**cfg)

    def forward(self, x):
        x = self.stem(x)
        for gate in self.gates:
            a, b = gate(x).chunk(2, dim=1)
            x = x + a * torch.sigmoid(b)
        left, right = torch.split(x, x.size(1) // 2, dim=1)
        x = torch.cat([left.amax(dim=(2, 3)), right.mean(dim=(2, 3))], dim=1)
        return self.fc(x)


def gated_small():
    return GatedConvNet.from_config({'channels': 32, 'depth': 2, 'num_classes': 5})


class SelfAttention2d(nn.Module):
    """SAGAN self-attention: 1x1 query/key/value convs, bmm over positions, a learnable scalar gate gamma."""

    def __init__(self, in_dim):
        super().__init__()
        self.query_conv = nn.Conv2d(in_dim, in_dim // 8, kernel_size=1)
        self.key_conv = nn.Conv2d(in_dim, in_dim // 8, kernel_size=1)
        self.value_conv = nn.Conv2d(in_dim, in_dim, kernel_size=1)
        self.gamma = nn.Parameter(torch.zeros(1))
        self.softmax = nn.Softmax(dim=-1)

    def forward(self, x):
        m_batchsize, C, width, height = x.size()
        proj_query = self.query_conv(x).view(m_batchsize, -1, width * height).permute(0, 2, 1)
        proj_key = self.key_conv(x).view(m_batchsize, -1, width * height)
        energy = torch.bmm(proj_query, proj_key)
        attention = self.softmax(energy)
        proj_value = self.value_conv(x).view(m_batchsize, -1, width * height)
        out = torch.bmm(proj_value, attention.permute(0, 2, 1))
        out = out.view(m_batchsize, C, width, height)
        return self.gamma * out + x


class SNDiscriminator(nn.Module):
    """A spectral-normalised GAN discriminator with SAGAN attention (weight_orig/weight_u/weight_v in the state_dict)."""

    def __init__(self, ch=64):
        super().__init__()
        self.net = nn.Sequential(
            spectral_norm(nn.Conv2d(3, ch, 4, 2, 1)),
            nn.LeakyReLU(0.1),
            spectral_norm(nn.Conv2d(ch, ch * 2, 4, 2, 1)),
            nn.LeakyReLU(0.1),
            SelfAttention2d(ch * 2),
            spectral_norm(nn.Conv2d(ch * 2, ch * 4, 4, 2, 1)),
            nn.LeakyReLU(0.1),
        )
        self.fc = spectral_norm(nn.Linear(ch * 4 * 4 * 4, 1))

    def forward(self, x):
        return self.fc(self.net(x).flatten(1))


class SelfAttnGenerator(nn.Module):
    """Latent -> Linear -> Unflatten -> upsample by F.interpolate and convs, SAGAN attention in the middle."""

    def __init__(self, z_dim=128, ch=64):
        super().__init__()
        self.fc = nn.Linear(z_dim, 4 * 4 * ch * 4)
        self.unflatten = nn.Unflatten(1, (ch * 4, 4, 4))
        self.conv1 = nn.Conv2d(ch * 4, ch * 2, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(ch * 2)
        self.attn = SelfAttention2d(ch * 2)
        self.conv2 = nn.Conv2d(ch * 2, ch, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(ch)
        self.to_rgb = nn.Conv2d(ch, 3, 3, padding=1)

    def forward(self, z):
        x = self.unflatten(self.fc(z))
        x = F.interpolate(x, scale_factor=2, mode='nearest')
        x = self.attn(F.relu(self.bn1(self.conv1(x))))
        x = F.interpolate(x, size=(16, 16), mode='bilinear', align_corners=False)
        x = F.relu(self.bn2(self.conv2(x)))
        return torch.tanh(self.to_rgb(x))


class SeqAttentionPool(nn.Module):
    """Sequence-first nn.MultiheadAttention with a learned query, einsum scores, and a train-only noise branch."""

    def __init__(self, d_model=64, nhead=4, num_classes=3):
        super().__init__()
        self.input_proj = nn.Linear(16, d_model)
        self.attn = nn.MultiheadAttention(d_model, nhead, dropout=0.1)
        self.query = nn.Parameter(torch.randn(1, 1, d_model))
        self.score = nn.Linear(d_model, d_model, bias=False)
        self.out = nn.Linear(d_model, num_classes)

    def forward(self, x):                   # x: [seq, batch, 16]
        h = self.input_proj(x)
        if self.training:
            h = h + 0.01 * torch.randn_like(h)
        q = self.query.expand(1, h.size(1), -1)
        ctx, weights = self.attn(q, h, h)   # ctx: [1, batch, d]
        s = torch.einsum('sbd,tbd->bst', self.score(h), ctx)
        pooled = (F.softmax(s, dim=1) * h.transpose(0, 1)).sum(dim=1)
        return self.out(pooled)


class ConvBNAct(nn.Sequential):
    def __init__(self, in_ch, out_ch, stride=1, act=True):
        layers = [nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=False), nn.BatchNorm2d(out_ch)]
        if act:
            layers.append(nn.SiLU(inplace=True))
        super().__init__(*layers)


class ResidualStage(nn.Sequential):
    """A Sequential subclass that adds its input back: `super().forward(x) + x`."""

    def __init__(self, ch, n=2):
        super().__init__(*[ConvBNAct(ch, ch, act=i < n - 1) for i in range(n)])

    def forward(self, x):
        return F.silu(super().forward(x) + x)


class TinyYoloBackbone(nn.Module):
    def __init__(self, width=16, num_outputs=85, anchors=3):
        super().__init__()
        chs = [width * 2 ** i for i in range(4)]
        self.stem = ConvBNAct(3, chs[0], stride=2)
        self.stages = nn.Sequential(*[
            nn.Sequential(ConvBNAct(chs[i], chs[i + 1], stride=2), ResidualStage(chs[i + 1]))
            for i in range(len(chs) - 1)
        ])
        self.detect = nn.Conv2d(chs[-1], anchors * num_outputs, 1)
        self.na, self.no = anchors, num_outputs

    def forward(self, x):
        x = self.detect(self.stages(self.stem(x)))
        bs, _, ny, nx = x.shape
        return x.view(bs, self.na, self.no, ny, nx).permute(0, 1, 3, 4, 2).contiguous()


class FrozenBackboneClassifier(nn.Module):
    """Transfer learning: input normalisation buffers (one not persistent), a frozen backbone, a fixed scale."""

    def __init__(self, num_classes=5, freeze=True):
        super().__init__()
        self.register_buffer('mean', torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer('std', torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1), persistent=False)
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 32, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
            nn.Conv2d(32, 64, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        if freeze:
            for p in self.backbone.parameters():
                p.requires_grad = False
        self.logit_scale = nn.Parameter(torch.ones(1) * 10.0, requires_grad=False)
        self.head = nn.Linear(64, num_classes)

    def forward(self, x):
        x = (x - self.mean) / self.std
        return self.head(self.backbone(x)) * self.logit_scale



class FrozenEmbeddingTagger(nn.Module):
    """Freezing with the in-place methods: Module.requires_grad_(False) on an encoder, Tensor.requires_grad_
    on a pretrained embedding table, and one layer switched back on."""

    def __init__(self, vocab=1000, dim=64, tags=9):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.emb.weight.requires_grad_(False)
        self.encoder = nn.Sequential(nn.Linear(dim, dim), nn.GELU(), nn.LayerNorm(dim), nn.Linear(dim, dim))
        self.encoder.requires_grad_(False)
        self.encoder[2].requires_grad_()
        self.out = nn.Linear(dim, tags)

    def forward(self, ids):
        return self.out(self.encoder(self.emb(ids)))

if __name__ == '__main__':
    print(NamedLayers()(torch.randn(1, 3, 32, 32))[0].shape)
    print(gated_small()(torch.randn(1, 3, 32, 32)).shape)
    print(SNDiscriminator()(torch.randn(1, 3, 32, 32)).shape)
    print(SelfAttnGenerator()(torch.randn(1, 128)).shape)
    print(SeqAttentionPool().eval()(torch.randn(10, 1, 16)).shape)
    print(TinyYoloBackbone()(torch.randn(1, 3, 64, 64)).shape)
    print(FrozenBackboneClassifier()(torch.randn(1, 3, 32, 32)).shape)

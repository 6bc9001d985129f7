/**
 * Small hand-written models, one construct each; their truth comes from PyTorch (torch_truth.py).
 */
export interface UnitCase {
  id: string;
  src: string;
  entry: string;
  input: number[];
  dtype?: 'int64';
}

const H = 'import math\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom collections import OrderedDict\nfrom functools import partial\n';

export const CASES: UnitCase[] = [
  {
    id: 'plain_cnn', entry: 'Net()', input: [2, 3, 32, 32], src: `${H}
class Net(nn.Module):
    def __init__(self, num_classes=10):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)
`,
  },
  {
    id: 'vgg_cfg', entry: "VGG('B')", input: [1, 3, 32, 32], src: `${H}
cfg = {'A': [16, 'M', 32, 'M'], 'B': [16, 16, 'M', 32, 32, 'M', 64, 'M']}

class VGG(nn.Module):
    def __init__(self, name, num_classes=10, batch_norm=True):
        super().__init__()
        self.features = self._make_layers(cfg[name], batch_norm)
        last = [v for v in cfg[name] if v != 'M'][-1]
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(last * 4 * 4, num_classes))

    def _make_layers(self, cfg, batch_norm):
        layers = []
        in_channels = 3
        for x in cfg:
            if x == 'M':
                layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
            else:
                layers += [nn.Conv2d(in_channels, x, kernel_size=3, padding=1)]
                layers += [nn.BatchNorm2d(x), nn.ReLU(inplace=True)] if batch_norm else [nn.ReLU(inplace=True)]
                in_channels = x
        return nn.Sequential(*layers)

    def forward(self, x):
        out = self.features(x)
        out = torch.flatten(out, 1)
        return self.classifier(out)
`,
  },
  {
    id: 'resnet_make_layer', entry: 'ResNet(Bottleneck, [1, 2])', input: [1, 3, 32, 32], src: `${H}
class BasicBlock(nn.Module):
    expansion = 1
    def __init__(self, inp, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or inp != self.expansion * planes:
            self.shortcut = nn.Sequential(nn.Conv2d(inp, self.expansion * planes, 1, stride=stride, bias=False), nn.BatchNorm2d(self.expansion * planes))
    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        return F.relu(out)

class Bottleneck(BasicBlock):
    expansion = 4
    def __init__(self, inp, planes, stride=1):
        nn.Module.__init__(self)
        width = planes
        self.conv1 = nn.Conv2d(inp, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or inp != planes * self.expansion:
            self.downsample = nn.Sequential(nn.Conv2d(inp, planes * self.expansion, 1, stride, bias=False), nn.BatchNorm2d(planes * self.expansion))
    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)

class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10):
        super().__init__()
        self.in_planes = 16
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layers = nn.ModuleList()
        for i, (n, s) in enumerate(zip(num_blocks, [1, 2])):
            self.layers.append(self._make_layer(block, 16 * 2 ** i, n, s))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.linear = nn.Linear(32 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for stride in strides:
            layers.append(block(self.in_planes, planes, stride))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)
    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        for layer in self.layers:
            out = layer(out)
        out = self.avgpool(out)
        out = out.view(out.size(0), -1)
        return self.linear(out)
`,
  },
  {
    id: 'ordered_dict_fstring', entry: 'MLP()', input: [4, 20], src: `${H}
class MLP(nn.Module):
    def __init__(self, sizes=(20, 64, 32, 5)):
        super().__init__()
        layers = OrderedDict()
        for i in range(len(sizes) - 1):
            layers[f"fc{i}"] = nn.Linear(sizes[i], sizes[i + 1])
            if i < len(sizes) - 2:
                layers["act%d" % i] = nn.GELU()
        self.net = nn.Sequential(layers)
        self.head = nn.Sequential(OrderedDict([("norm", nn.LayerNorm(sizes[-1])), ("drop", nn.Dropout(p=0.1))]))
        self.extra = nn.Sequential()
        self.extra.add_module("{}_{}".format("scale", 1), nn.Identity())
    def forward(self, x):
        return self.extra(self.head(self.net(x)))
`,
  },
  {
    id: 'moduledict_buffers_params', entry: 'Net()', input: [2, 8, 4], src: `${H}
class Net(nn.Module):
    def __init__(self, dim=4, n=8):
        super().__init__()
        self.pos = nn.Parameter(torch.zeros(1, n, dim))
        self.register_buffer("mask", torch.ones(n, n), persistent=False)
        self.register_buffer("scale", torch.tensor([1.0, 2.0]))
        self.heads = nn.ModuleDict({"a": nn.Linear(dim, 3), "b": nn.Linear(dim, 3)})
        self.heads["c"] = nn.Linear(dim, 3)
        self.gamma = nn.Parameter(torch.ones(dim), requires_grad=False)
        self.blocks = nn.ModuleList([nn.Linear(dim, dim) for _ in range(2)])
        self.blocks.extend([nn.Tanh()])
    def forward(self, x):
        x = x + self.pos
        for blk in self.blocks:
            x = blk(x) * self.gamma
        outs = [head(x) for name, head in self.heads.items()]
        return torch.cat(outs, dim=-1)
`,
  },
  {
    id: 'inheritance_kwargs', entry: 'Net(width=12)', input: [1, 3, 16, 16], src: `${H}
class Mixin:
    def act(self):
        return nn.ReLU(inplace=True)

class Base(nn.Module):
    def __init__(self, in_ch=3, width=8, **kwargs):
        super().__init__()
        self.stem = nn.Conv2d(in_ch, width, 3, padding=kwargs.pop("pad", 1))
        self.extra_cfg = kwargs

class Net(Mixin, Base):
    def __init__(self, *args, depth=2, **kwargs):
        super(Net, self).__init__(*args, **kwargs)
        w = self.stem.out_channels
        blocks = []
        for i in range(depth):
            blocks.extend([nn.Conv2d(w, w * 2, 3, stride=2, padding=1), self.act()])
            w *= 2
        self.body = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(w, 7)
    def forward(self, x):
        x = self.body(self.stem(x))
        x = self.pool(x).flatten(1)
        return self.fc(x)
`,
  },
  {
    id: 'partial_lambda_comprehensions', entry: 'Net()', input: [1, 3, 32, 32], src: `${H}
def _make_divisible(v, divisor=8, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v

class ConvBN(nn.Sequential):
    def __init__(self, cin, cout, k=3, s=1, norm_layer=None, act=nn.ReLU6):
        norm_layer = norm_layer or nn.BatchNorm2d
        super().__init__(nn.Conv2d(cin, cout, k, s, (k - 1) // 2, bias=False), norm_layer(cout), act(inplace=True))
        self.out_channels = cout

class Net(nn.Module):
    def __init__(self, width_mult=0.75):
        super().__init__()
        norm = partial(nn.BatchNorm2d, eps=1e-3, momentum=0.01)
        chans = [_make_divisible(c * width_mult) for c in (32, 64, 96)]
        strides = {i: (2 if i % 2 == 0 else 1) for i in range(3)}
        layers = [ConvBN(3, chans[0], s=2, norm_layer=norm)]
        i = 1
        while i < len(chans):
            layers.append(ConvBN(chans[i - 1], chans[i], s=strides[i], norm_layer=norm))
            i += 1
        self.features = nn.Sequential(*layers)
        self.act = lambda t: F.hardswish(t)
        self.head = nn.Linear(chans[-1], 10)
    def forward(self, x):
        x = self.act(self.features(x))
        x = x.mean([2, 3])
        return self.head(x)
`,
  },
  {
    id: 'lstm_unpack_slice', entry: 'LM()', input: [2, 7], dtype: 'int64', src: `${H}
class LM(nn.Module):
    def __init__(self, vocab=50, emb=16, hid=32, layers=2):
        super().__init__()
        self.encoder = nn.Embedding(vocab, emb)
        self.rnn = nn.LSTM(emb, hid, num_layers=layers, batch_first=True, dropout=0.1)
        self.decoder = nn.Linear(hid, vocab)
    def forward(self, x):
        e = self.encoder(x)
        out, (h, c) = self.rnn(e)
        last = out[:, -1]
        return self.decoder(last)
`,
  },
  {
    id: 'setattr_order_shared_tied', entry: 'Net()', input: [3, 10], src: `${H}
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(10, 10)
        self.b = nn.Linear(10, 10)
        self.c = nn.Linear(10, 4)
        self.a = nn.Linear(10, 10, bias=False)
        self.tmp = nn.ReLU()
        del self.tmp
        self.shared = self.b
        self.d = nn.Linear(10, 10)
        self.d.weight = self.b.weight
        self.e = None
        setattr(self, "f", nn.Linear(4, 2))
    def forward(self, x):
        x = self.b(self.a(x))
        x = self.shared(x)
        x = self.d(x)
        return self.f(self.c(x))
`,
  },
  {
    id: 'skip_cat_chunk_matmul', entry: 'Net()', input: [1, 4, 8, 8], src: `${H}
class Net(nn.Module):
    def __init__(self, c=4):
        super().__init__()
        self.down = nn.Conv2d(c, 2 * c, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.qkv = nn.Linear(2 * c, 3 * 2 * c)
        self.out = nn.Conv2d(2 * c, 3, 1)
    def forward(self, x):
        skip = x
        y = self.down(x)
        b, ch, h, w = y.shape
        t = y.flatten(2).transpose(1, 2)
        q, k, v = self.qkv(t).chunk(3, dim=-1)
        attn = (q @ k.transpose(-2, -1)) * (ch ** -0.5)
        attn = attn.softmax(dim=-1)
        t = (attn @ v).transpose(1, 2).reshape(b, ch, h, w)
        y = self.up(t)
        y = torch.cat([y, skip], dim=1)
        return self.out(y)
`,
  },
  {
    id: 'math_builtins', entry: 'Net()', input: [1, 3, 40, 40], src: `${H}
class Net(nn.Module):
    def __init__(self, size=40, base=10):
        super().__init__()
        c1 = int(math.ceil(base * 1.5))
        c2 = max(8, min(64, round(base * 2.5)))
        c3 = sum([2, 3]) ** 2 % 7 + abs(-3)
        k = 3 if size % 2 == 0 and not size < 10 else 5
        self.conv = nn.Conv2d(3, c1, k, padding=k // 2)
        self.conv2 = nn.Conv2d(c1, c2, 3, stride=2, padding=1)
        feat = math.floor(size / 2)
        self.fc = nn.Linear(c2 * feat * feat, c3)
    def forward(self, x):
        x = F.relu(self.conv(x))
        x = self.conv2(x)
        return self.fc(torch.flatten(x, start_dim=1))
`,
  },
  {
    id: 'transformer_encoder', entry: 'Enc()', input: [2, 5, 16], src: `${H}
class Enc(nn.Module):
    def __init__(self, d=16, heads=4, n=2):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model=d, nhead=heads, dim_feedforward=32, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=n)
        self.cls = nn.Linear(d, 3)
    def forward(self, x):
        h = self.encoder(x)
        return self.cls(h[:, 0])
`,
  },
];

"""Detector building blocks in the style of the YOLOv5 code base (models/common.py): autopad, a Conv with
a default activation chosen by `act is True`, C3 with a generator expression inside nn.Sequential, SPPF
under `warnings.catch_warnings()`, and a small backbone + neck + head assembled from them."""
import warnings

import torch
import torch.nn as nn


def autopad(k, p=None, d=1):  # kernel, padding, dilation
    # Pad to 'same' shape outputs
    if d > 1:
        k = d * (k - 1) + 1 if isinstance(k, int) else [d * (x - 1) + 1 for x in k]  # actual kernel-size
    if p is None:
        p = k // 2 if isinstance(k, int) else [x // 2 for x in k]  # auto-pad
    return p


class Conv(nn.Module):
    # Standard convolution with args(ch_in, ch_out, kernel, stride, padding, groups, dilation, activation)
    default_act = nn.SiLU()  # default activation

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, d=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, autopad(k, p, d), groups=g, dilation=d, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = self.default_act if act is True else act if isinstance(act, nn.Module) else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    # Standard bottleneck
    def __init__(self, c1, c2, shortcut=True, g=1, e=0.5):  # ch_in, ch_out, shortcut, groups, expansion
        super().__init__()
        c_ = int(c2 * e)  # hidden channels
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = Conv(c_, c2, 3, 1, g=g)
        self.add = shortcut and c1 == c2

    def forward(self, x):
        return x + self.cv2(self.cv1(x)) if self.add else self.cv2(self.cv1(x))


class C3(nn.Module):
    # CSP Bottleneck with 3 convolutions
    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):  # ch_in, ch_out, number, shortcut, groups, expansion
        super().__init__()
        c_ = int(c2 * e)  # hidden channels
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = Conv(c1, c_, 1, 1)
        self.cv3 = Conv(2 * c_, c2, 1)  # optional act=FReLU(c2)
        self.m = nn.Sequential(*(Bottleneck(c_, c_, shortcut, g, e=1.0) for _ in range(n)))

    def forward(self, x):
        return self.cv3(torch.cat((self.m(self.cv1(x)), self.cv2(x)), 1))


class SPPF(nn.Module):
    # Spatial Pyramid Pooling - Fast (SPPF) layer for YOLOv5 by Glenn Jocher
    def __init__(self, c1, c2, k=5):  # equivalent to SPP(k=(5, 9, 13))
        super().__init__()
        c_ = c1 // 2  # hidden channels
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = Conv(c_ * 4, c2, 1, 1)
        self.m = nn.MaxPool2d(kernel_size=k, stride=1, padding=k // 2)

    def forward(self, x):
        x = self.cv1(x)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # suppress torch 1.9.0 max_pool2d() warning
            y1 = self.m(x)
            y2 = self.m(y1)
            return self.cv2(torch.cat((x, y1, y2, self.m(y2)), 1))


class TinyDetector(nn.Module):
    """A width/depth-scaled CSP backbone, a top-down neck with nn.Upsample and concatenation, 1x1 heads per level."""

    def __init__(self, nc=20, anchors=3, width_multiple=0.25, depth_multiple=0.33):
        super().__init__()
        ch = [int(c * width_multiple) for c in (64, 128, 256, 512, 1024)]
        n = lambda x: max(round(x * depth_multiple), 1)  # noqa: E731
        self.stem = Conv(3, ch[0], 6, 2, 2)
        self.stage1 = nn.Sequential(Conv(ch[0], ch[1], 3, 2), C3(ch[1], ch[1], n(3)))
        self.stage2 = nn.Sequential(Conv(ch[1], ch[2], 3, 2), C3(ch[2], ch[2], n(6)))
        self.stage3 = nn.Sequential(Conv(ch[2], ch[3], 3, 2), C3(ch[3], ch[3], n(9)))
        self.stage4 = nn.Sequential(Conv(ch[3], ch[4], 3, 2), C3(ch[4], ch[4], n(3)), SPPF(ch[4], ch[4], 5))
        self.lateral = Conv(ch[4], ch[3], 1, 1)
        self.up = nn.Upsample(None, 2, 'nearest')
        self.fuse = C3(ch[3] * 2, ch[3], n(3), False)
        self.no = nc + 5
        self.heads = nn.ModuleList(nn.Conv2d(c, self.no * anchors, 1) for c in (ch[3], ch[4]))

    def forward(self, x):
        x = self.stage2(self.stage1(self.stem(x)))
        p4 = self.stage3(x)
        p5 = self.stage4(p4)
        p4 = self.fuse(torch.cat([self.up(self.lateral(p5)), p4], 1))
        outs = []
        for head, feat in zip(self.heads, (p4, p5)):
            bs, _, ny, nx = feat.shape
            outs.append(head(feat).view(bs, -1, self.no, ny, nx).permute(0, 1, 3, 4, 2).contiguous())
        return outs


if __name__ == '__main__':
    print([o.shape for o in TinyDetector()(torch.randn(1, 3, 128, 128))])

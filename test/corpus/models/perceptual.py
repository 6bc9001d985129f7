"""Feature networks carved out of a torchvision model, as perceptual losses and multi-task heads do it:
LPIPS-style slices filled with `add_module(str(x), features[x])`, Sequential slicing `features[:4]`,
activations looked up by name with getattr(nn, name), and an nn.ModuleDict of heads iterated with .items()."""
from collections import namedtuple

import torch
import torch.nn as nn
from torchvision import models


class vgg16(torch.nn.Module):
    def __init__(self, requires_grad=False):
        super(vgg16, self).__init__()
        vgg_pretrained_features = models.vgg16().features
        self.slice1 = torch.nn.Sequential()
        self.slice2 = torch.nn.Sequential()
        self.slice3 = torch.nn.Sequential()
        self.slice4 = torch.nn.Sequential()
        self.slice5 = torch.nn.Sequential()
        self.N_slices = 5
        for x in range(4):
            self.slice1.add_module(str(x), vgg_pretrained_features[x])
        for x in range(4, 9):
            self.slice2.add_module(str(x), vgg_pretrained_features[x])
        for x in range(9, 16):
            self.slice3.add_module(str(x), vgg_pretrained_features[x])
        for x in range(16, 23):
            self.slice4.add_module(str(x), vgg_pretrained_features[x])
        for x in range(23, 30):
            self.slice5.add_module(str(x), vgg_pretrained_features[x])
        if not requires_grad:
            for param in self.parameters():
                param.requires_grad = False

    def forward(self, X):
        h = self.slice1(X)
        h_relu1_2 = h
        h = self.slice2(h)
        h_relu2_2 = h
        h = self.slice3(h)
        h_relu3_3 = h
        h = self.slice4(h)
        h_relu4_3 = h
        h = self.slice5(h)
        h_relu5_3 = h
        vgg_outputs = namedtuple("VggOutputs", ['relu1_2', 'relu2_2', 'relu3_3', 'relu4_3', 'relu5_3'])
        out = vgg_outputs(h_relu1_2, h_relu2_2, h_relu3_3, h_relu4_3, h_relu5_3)
        return out


class MultiTaskNet(nn.Module):
    """A shared trunk from the first blocks of a VGG-11 (`features[:6]`), heads in an nn.ModuleDict."""

    def __init__(self, tasks=None, act='GELU', hidden=64):
        super().__init__()
        tasks = tasks or {'class': 10, 'angle': 1, 'attrs': 5}
        self.trunk = models.vgg11().features[:6]
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.heads = nn.ModuleDict({
            name: nn.Sequential(nn.Linear(128, hidden), getattr(nn, act)(), nn.Linear(hidden, n))
            for name, n in tasks.items()
        })

    def forward(self, x):
        x = self.pool(self.trunk(x)).flatten(start_dim=1)
        out = {}
        for name, head in self.heads.items():
            out[name] = head(x)
        return torch.cat([out[k] for k in sorted(out)], dim=1)


if __name__ == '__main__':
    print(vgg16()(torch.randn(1, 3, 64, 64)).relu5_3.shape, MultiTaskNet()(torch.randn(1, 3, 64, 64)).shape)

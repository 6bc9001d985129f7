"""Multilayer perceptrons built with nn.Sequential: named layers from an OrderedDict, and a
depth/width-configurable one from a list comprehension."""
from collections import OrderedDict

import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self, in_features=3 * 32 * 32, hidden=512, num_classes=10, p=0.5):
        super().__init__()
        self.net = nn.Sequential(OrderedDict([
            ('flatten', nn.Flatten()),
            ('fc1', nn.Linear(in_features, hidden)),
            ('act1', nn.ReLU()),
            ('drop1', nn.Dropout(p)),
            ('fc2', nn.Linear(hidden, hidden // 2)),
            ('bn2', nn.BatchNorm1d(hidden // 2)),
            ('act2', nn.ReLU()),
            ('head', nn.Linear(hidden // 2, num_classes)),
        ]))

    def forward(self, x):
        return self.net(x)


def make_mlp(sizes=(784, 256, 128, 10), act=nn.GELU):
    layers = [nn.Flatten()]
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


if __name__ == "__main__":
    print(MLP()(torch.randn(2, 3, 32, 32)).shape)
    print(make_mlp()(torch.randn(2, 1, 28, 28)).shape)

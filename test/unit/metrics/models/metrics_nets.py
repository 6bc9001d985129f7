"""Small models for the static-metrics test: a shared (twice-called) layer, a frozen stem, a residual
add, a matmul in forward, and buffers. Built from source by GHN Lens and run by PyTorch."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class SharedConvNet(nn.Module):
    def __init__(self, c=16, num_classes=10, freeze_stem=False):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU())
        if freeze_stem:
            for p in self.stem.parameters():
                p.requires_grad_(False)
        self.shared = nn.Conv2d(c, c, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.proj = nn.Linear(c, c)
        self.head = nn.Linear(c, num_classes)

    def forward(self, x):
        x = self.stem(x)
        y = F.relu(self.shared(x))
        x = x + self.shared(y)          # the same conv twice: params once, MACs twice
        x = self.pool(x)
        x = x.flatten(2).transpose(1, 2)  # [N, HW, C]
        a = torch.matmul(x, x.transpose(1, 2))  # [N, HW, HW]
        x = torch.matmul(a.softmax(-1), self.proj(x))
        return self.head(x.mean(1))


class TinyMLP(nn.Module):
    def __init__(self, sizes=(3 * 32 * 32, 64, 10)):
        super().__init__()
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(torch.flatten(x, 1))

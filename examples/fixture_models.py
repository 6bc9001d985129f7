# GHN reference fixtures: copied from shared/ghn2-reference/models/fixture_models.py (the source of the
# custom models rescat_cnn and mlp traced in the GHN-2 reference graphs ../*.graph.json).
"""Source of the custom fixture models (rescat_cnn, mlp) used in ../*.graph.json.
The fixtures were traced with input 1x3x32x32 (CIFAR-10 config) or 1x3x224x224 (ImageNet config)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ResCatCNN(nn.Module):
    """Small CNN with a residual add, a channel concat, grouped/dilated convs, pools, LayerNorm, fc with/without bias."""
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 24, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(24)
        self.conv2 = nn.Conv2d(24, 24, 3, padding=1, bias=True)
        self.bn2 = nn.BatchNorm2d(24)
        self.dw = nn.Conv2d(24, 24, 3, padding=1, groups=24, bias=False)              # -> sep_conv
        self.dil = nn.Conv2d(24, 24, 3, padding=2, dilation=2, groups=24, bias=False)  # -> dil_conv
        self.pw = nn.Conv2d(48, 40, 1, bias=True)
        self.bn3 = nn.BatchNorm2d(40)
        self.pool = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(40, 80, 5, padding=2, stride=2, bias=False)
        self.avg = nn.AvgPool2d(3, stride=2, padding=1)
        self.ln = nn.LayerNorm(80)
        self.fc1 = nn.Linear(80, 48, bias=False)
        self.fc2 = nn.Linear(48, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(x))
        x = F.relu(x + y)                                   # residual sum
        x = torch.cat([self.dw(x), self.dil(x)], dim=1)     # concat
        x = self.pool(F.relu(self.bn3(self.pw(x))))
        x = self.avg(F.relu(self.conv3(x)))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        x = self.ln(x)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


class MLP(nn.Module):
    def __init__(self, num_classes=10, in_dim=3 * 32 * 32):
        super().__init__()
        self.fc1 = nn.Linear(in_dim, 128)
        self.ln1 = nn.LayerNorm(128)
        self.fc2 = nn.Linear(128, 96)
        self.fc3 = nn.Linear(96, num_classes)

    def forward(self, x):
        x = x.flatten(1)
        x = F.relu(self.ln1(self.fc1(x)))
        x = F.relu(self.fc2(x))
        return self.fc3(x)

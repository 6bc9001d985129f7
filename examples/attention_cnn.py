"""A small CNN with squeeze-and-excitation channel attention (Hu et al.), GroupNorm and GELU."""
import torch
import torch.nn as nn


class SEBlock(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(
            nn.Linear(channels, channels // reduction, bias=False),
            nn.ReLU(inplace=True),
            nn.Linear(channels // reduction, channels, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, x):
        b, c, _, _ = x.size()
        y = self.avg_pool(x).view(b, c)
        y = self.fc(y).view(b, c, 1, 1)
        return x * y.expand_as(x)


class ConvGNBlock(nn.Module):
    def __init__(self, in_ch, out_ch, groups=8, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, 3, stride=stride, padding=1, bias=False)
        self.norm = nn.GroupNorm(groups, out_ch)
        self.act = nn.GELU()
        self.se = SEBlock(out_ch)

    def forward(self, x):
        x = self.act(self.norm(self.conv(x)))
        return self.se(x)


class SqueezeExcite(nn.Module):
    """SE with 1x1 convolutions instead of linear layers: `x * self.se(x)`."""

    def __init__(self, channels, rd_channels):
        super().__init__()
        self.se = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Conv2d(channels, rd_channels, 1),
            nn.GELU(),
            nn.Conv2d(rd_channels, channels, 1),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return x * self.se(x)


class AttentionCNN(nn.Module):
    def __init__(self, num_classes=10, widths=(32, 64, 128)):
        super().__init__()
        layers = []
        in_ch = 3
        for i, w in enumerate(widths):
            layers.append(ConvGNBlock(in_ch, w, stride=1 if i == 0 else 2))
            in_ch = w
        self.features = nn.Sequential(*layers)
        self.se_out = SqueezeExcite(in_ch, in_ch // 8)
        self.head = nn.Linear(in_ch, num_classes)

    def forward(self, x):
        x = self.features(x)
        x = self.se_out(x)
        x = x.mean([2, 3])
        return self.head(x)


if __name__ == "__main__":
    print(AttentionCNN()(torch.randn(2, 3, 32, 32)).shape)

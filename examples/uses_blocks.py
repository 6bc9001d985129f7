"""A small bottleneck network whose blocks come from another file of the workspace (blocks.py)."""
import torch
import torch.nn as nn

try:
    from .blocks import Bottleneck, Stem, conv1x1
except ImportError:  # run as a script: `python uses_blocks.py`
    from blocks import Bottleneck, Stem, conv1x1


class SmallBottleneckNet(nn.Module):
    def __init__(self, num_classes=100, planes=(32, 64, 128)):
        super().__init__()
        self.stem = Stem(64)
        inplanes = 64
        stages = []
        for i, p in enumerate(planes):
            stride = 1 if i == 0 else 2
            downsample = nn.Sequential(
                conv1x1(inplanes, p * Bottleneck.expansion, stride),
                nn.BatchNorm2d(p * Bottleneck.expansion),
            )
            stages.append(nn.Sequential(
                Bottleneck(inplanes, p, stride, downsample),
                Bottleneck(p * Bottleneck.expansion, p),
            ))
            inplanes = p * Bottleneck.expansion
        self.stages = nn.Sequential(*stages)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(inplanes, num_classes)

    def forward(self, x):
        x = self.stem(x)
        x = self.stages(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


if __name__ == "__main__":
    print(SmallBottleneckNet()(torch.randn(1, 3, 64, 64)).shape)

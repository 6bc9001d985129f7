"""A small MobileNet-style network: depthwise separable convolutions built by a helper function,
ReLU6 activations made with functools.partial, the blocks kept in an nn.ModuleList."""
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(inp, oup, stride, kernel_size=3, groups=1, act_layer=nn.ReLU6):
    return nn.Sequential(
        nn.Conv2d(inp, oup, kernel_size, stride, kernel_size // 2, groups=groups, bias=False),
        nn.BatchNorm2d(oup),
        act_layer(inplace=True),
    )


def depthwise_separable(inp, oup, stride, act_layer=nn.ReLU6):
    return nn.Sequential(
        conv_bn(inp, inp, stride, groups=inp, act_layer=act_layer),  # depthwise
        conv_bn(inp, oup, 1, kernel_size=1, act_layer=act_layer),    # pointwise
    )


class MobileNetLike(nn.Module):
    # (out_channels, stride) of each depthwise separable block
    cfg = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (1024, 2)]

    def __init__(self, num_classes=10, width_mult=1.0):
        super().__init__()
        act = partial(nn.ReLU6)
        input_channel = int(32 * width_mult)
        self.stem = conv_bn(3, input_channel, 2, act_layer=act)
        self.blocks = nn.ModuleList()
        for c, s in self.cfg:
            output_channel = int(c * width_mult)
            self.blocks.append(depthwise_separable(input_channel, output_channel, s, act_layer=act))
            input_channel = output_channel
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(input_channel, num_classes)

    def forward(self, x):
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        x = F.adaptive_avg_pool2d(x, 1)
        x = torch.flatten(x, 1)
        x = self.dropout(x)
        return self.fc(x)


if __name__ == "__main__":
    print(MobileNetLike()(torch.randn(1, 3, 64, 64)).shape)

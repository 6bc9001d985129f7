"""Layers that subclass torch.nn layers, as libraries do: loralib-style LoRA (`class Linear(nn.Linear, LoRALayer)`
with explicit base __init__ calls, a frozen pretrained weight, `.T`), BiT's weight-standardised StdConv2d
(its own forward through F.conv2d), and nn.Embedding.from_pretrained(..., freeze=True)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class LoRALayer():
    def __init__(self, r, lora_alpha, lora_dropout, merge_weights):
        self.r = r
        self.lora_alpha = lora_alpha
        # Optional dropout
        if lora_dropout > 0.:
            self.lora_dropout = nn.Dropout(p=lora_dropout)
        else:
            self.lora_dropout = lambda x: x
        # Mark the weight as unmerged
        self.merged = False
        self.merge_weights = merge_weights


class Linear(nn.Linear, LoRALayer):
    # LoRA implemented in a dense layer
    def __init__(self, in_features, out_features, r=0, lora_alpha=1, lora_dropout=0., fan_in_fan_out=False,
                 merge_weights=True, **kwargs):
        nn.Linear.__init__(self, in_features, out_features, **kwargs)
        LoRALayer.__init__(self, r=r, lora_alpha=lora_alpha, lora_dropout=lora_dropout,
                           merge_weights=merge_weights)

        self.fan_in_fan_out = fan_in_fan_out
        # Actual trainable parameters
        if r > 0:
            self.lora_A = nn.Parameter(self.weight.new_zeros((r, in_features)))
            self.lora_B = nn.Parameter(self.weight.new_zeros((out_features, r)))
            self.scaling = self.lora_alpha / self.r
            # Freezing the pre-trained weight matrix
            self.weight.requires_grad = False
        self.reset_parameters()
        if fan_in_fan_out:
            self.weight.data = self.weight.data.transpose(0, 1)

    def reset_parameters(self):
        nn.Linear.reset_parameters(self)
        if hasattr(self, 'lora_A'):
            # initialize B the same way as the default for nn.Linear and A to zero
            # this is different than what is described in the paper but should not affect performance
            nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
            nn.init.zeros_(self.lora_B)

    def forward(self, x):
        def T(w):
            return w.transpose(0, 1) if self.fan_in_fan_out else w
        if self.r > 0 and not self.merged:
            result = F.linear(x, T(self.weight), bias=self.bias)
            result += (self.lora_dropout(x) @ self.lora_A.transpose(0, 1) @ self.lora_B.transpose(0, 1)) * self.scaling
            return result
        else:
            return F.linear(x, T(self.weight), bias=self.bias)


class StdConv2d(nn.Conv2d):
    """Conv2d with weight standardisation (Big Transfer)."""

    def forward(self, x):
        w = self.weight
        v, m = torch.var_mean(w, dim=[1, 2, 3], keepdim=True, unbiased=False)
        w = (w - m) / torch.sqrt(v + 1e-10)
        return F.conv2d(x, w, self.bias, self.stride, self.padding, self.dilation, self.groups)


def conv3x3(cin, cout, stride=1, groups=1, bias=False):
    return StdConv2d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=bias, groups=groups)


class PreActBottleneckGN(nn.Module):
    def __init__(self, cin, cout=None, cmid=None, stride=1):
        super().__init__()
        cout = cout or cin
        cmid = cmid or cout // 4
        self.gn1 = nn.GroupNorm(32, cin)
        self.conv1 = StdConv2d(cin, cmid, kernel_size=1, bias=False)
        self.gn2 = nn.GroupNorm(32, cmid)
        self.conv2 = conv3x3(cmid, cmid, stride)
        self.gn3 = nn.GroupNorm(32, cmid)
        self.conv3 = StdConv2d(cmid, cout, kernel_size=1, bias=False)
        self.relu = nn.ReLU(inplace=True)
        if stride != 1 or cin != cout:
            self.downsample = StdConv2d(cin, cout, kernel_size=1, stride=stride, bias=False)

    def forward(self, x):
        out = self.relu(self.gn1(x))
        residual = x
        if hasattr(self, 'downsample'):
            residual = self.downsample(out)
        out = self.conv1(out)
        out = self.conv2(self.relu(self.gn2(out)))
        out = self.conv3(self.relu(self.gn3(out)))
        return out + residual


class BiTLoRAClassifier(nn.Module):
    """A small BiT-style backbone and a LoRA-adapted head over frozen pretrained-like embeddings of labels."""

    def __init__(self, num_classes=10, width=64, r=4):
        super().__init__()
        self.root = nn.Sequential(
            StdConv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False),
            nn.ConstantPad2d(1, 0),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=0),
        )
        self.body = nn.Sequential(
            PreActBottleneckGN(width, width * 4, width),
            PreActBottleneckGN(width * 4, width * 8, width * 2, stride=2),
        )
        self.norm = nn.GroupNorm(32, width * 8)
        self.head = Linear(width * 8, 256, r=r, lora_alpha=8)
        self.label_emb = nn.Embedding.from_pretrained(torch.randn(num_classes, 256), freeze=True)

    def forward(self, x):
        x = F.relu(self.norm(self.body(self.root(x))))
        x = torch.mean(x, dim=(2, 3))
        z = self.head(x)
        return z @ self.label_emb.weight.t()


if __name__ == '__main__':
    print(BiTLoRAClassifier()(torch.randn(1, 3, 64, 64)).shape)

"""torchvision resnet18 for 32x32 Fashion-MNIST, 10 classes.
Adaptation (the reference's CIFAR adjustment, ../shared/ghn2-reference/models/resnet18_cifar.md):
conv1 becomes a 3x3 stride-1 convolution (3 -> 64, padding 1, no bias) and the max-pool an identity."""
import torch.nn as nn
import torchvision


def build():
    m = torchvision.models.resnet18(num_classes=10)
    m.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
    m.maxpool = nn.Identity()
    return m

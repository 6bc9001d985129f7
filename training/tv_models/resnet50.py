"""torchvision resnet50 for 32x32 Fashion-MNIST, 10 classes.
Adaptation: as resnet18 (reference CIFAR adjustment): 3x3 stride-1 conv1 (3 -> 64, no bias), no max-pool."""
import torch.nn as nn
import torchvision


def build():
    m = torchvision.models.resnet50(num_classes=10)
    m.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
    m.maxpool = nn.Identity()
    return m

"""torchvision densenet121 for 32x32 Fashion-MNIST, 10 classes.
Adaptation: num_classes=10 only (stem 7x7/2 + max-pool, three transitions: 32 -> 1x1, adaptive pool)."""
import torchvision


def build():
    return torchvision.models.densenet121(num_classes=10)

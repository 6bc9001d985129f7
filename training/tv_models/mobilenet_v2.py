"""torchvision mobilenet_v2 for 32x32 Fashion-MNIST, 10 classes.
Adaptation: num_classes=10 only (output stride 32: the last feature map is 1x1, then the adaptive pool)."""
import torchvision


def build():
    return torchvision.models.mobilenet_v2(num_classes=10)

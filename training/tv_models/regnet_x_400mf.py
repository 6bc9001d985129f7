"""torchvision regnet_x_400mf for 32x32 Fashion-MNIST, 10 classes.
Adaptation: num_classes=10 only (output stride 32: 1x1 last feature map, adaptive average pool)."""
import torchvision


def build():
    return torchvision.models.regnet_x_400mf(num_classes=10)

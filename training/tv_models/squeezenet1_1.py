"""torchvision squeezenet1_1 for 32x32 Fashion-MNIST, 10 classes.
Adaptation: num_classes=10 only (3x3/2 stem and three 3x3/2 ceil-mode max-pools: 32 -> 15 -> 7 -> 3 -> 1;
the final 1x1 conv classifier and adaptive pool work at that size)."""
import torchvision


def build():
    return torchvision.models.squeezenet1_1(num_classes=10)

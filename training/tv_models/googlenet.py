"""torchvision googlenet for 32x32 Fashion-MNIST, 10 classes.
Adaptation: num_classes=10, aux_logits=False (no auxiliary heads; they need >= 224-ish inputs and only
train-time outputs), transform_input=False, init_weights=True (explicit: torchvision warns otherwise)."""
import torchvision


def build():
    return torchvision.models.googlenet(num_classes=10, aux_logits=False, transform_input=False, init_weights=True)

"""Patch-based all-MLP and all-conv models as their papers print them: ConvMixer ("Patches Are All You
Need?", a function returning one nn.Sequential with a starred list comprehension and padding="same") and
MLP-Mixer with token mixing through transposes."""
import torch
import torch.nn as nn


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x) + x


def ConvMixer(dim=256, depth=4, kernel_size=9, patch_size=4, n_classes=10):
    return nn.Sequential(
        nn.Conv2d(3, dim, kernel_size=patch_size, stride=patch_size),
        nn.GELU(),
        nn.BatchNorm2d(dim),
        *[nn.Sequential(
            Residual(nn.Sequential(
                nn.Conv2d(dim, dim, kernel_size, groups=dim, padding="same"),
                nn.GELU(),
                nn.BatchNorm2d(dim)
            )),
            nn.Conv2d(dim, dim, kernel_size=1),
            nn.GELU(),
            nn.BatchNorm2d(dim)
        ) for i in range(depth)],
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
        nn.Linear(dim, n_classes)
    )


class MlpBlock(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x):
        return self.net(x)


class MixerBlock(nn.Module):
    def __init__(self, num_tokens, dim, tokens_hidden, channels_hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.token_mixing = MlpBlock(num_tokens, tokens_hidden)
        self.norm2 = nn.LayerNorm(dim)
        self.channel_mixing = MlpBlock(dim, channels_hidden)

    def forward(self, x):                       # x: [B, tokens, dim]
        y = self.norm1(x).transpose(1, 2)       # [B, dim, tokens]
        x = x + self.token_mixing(y).transpose(1, 2)
        return x + self.channel_mixing(self.norm2(x))


class MlpMixer(nn.Module):
    def __init__(self, image_size=32, patch_size=4, dim=128, depth=4, num_classes=10, token_hidden=64,
                 channel_hidden=512):
        super().__init__()
        assert image_size % patch_size == 0, 'image must be divisible by patch size'
        num_tokens = (image_size // patch_size) ** 2
        self.stem = nn.Conv2d(3, dim, patch_size, patch_size)
        self.blocks = nn.Sequential(*[MixerBlock(num_tokens, dim, token_hidden, channel_hidden) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.stem(x).flatten(2).transpose(1, 2)
        x = self.norm(self.blocks(x))
        return self.head(x.mean(dim=1))


if __name__ == '__main__':
    print(ConvMixer()(torch.randn(1, 3, 32, 32)).shape, MlpMixer()(torch.randn(1, 3, 32, 32)).shape)

"""A convolutional variational autoencoder for 28x28 images (MNIST-like).

The encoder gives `mu` and `logvar` (two heads), `reparameterize` samples with `torch.randn_like`, the decoder
upsamples with ConvTranspose2d; `forward` returns a tuple `(recon, mu, logvar)`.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvVAE(nn.Module):
    def __init__(self, in_channels=1, latent_dim=16, hidden_dims=None):
        super().__init__()
        if hidden_dims is None:
            hidden_dims = [32, 64]
        self.latent_dim = latent_dim

        modules = []
        ch = in_channels
        for h_dim in hidden_dims:
            modules.append(nn.Sequential(
                nn.Conv2d(ch, h_dim, kernel_size=3, stride=2, padding=1),
                nn.BatchNorm2d(h_dim),
                nn.LeakyReLU()))
            ch = h_dim
        self.encoder = nn.Sequential(*modules)
        self.fc_mu = nn.Linear(hidden_dims[-1] * 7 * 7, latent_dim)
        self.fc_var = nn.Linear(hidden_dims[-1] * 7 * 7, latent_dim)

        self.decoder_input = nn.Linear(latent_dim, hidden_dims[-1] * 7 * 7)
        hidden_dims = hidden_dims[::-1]
        modules = []
        for i in range(len(hidden_dims) - 1):
            modules.append(nn.Sequential(
                nn.ConvTranspose2d(hidden_dims[i], hidden_dims[i + 1], kernel_size=3, stride=2, padding=1,
                                   output_padding=1),
                nn.BatchNorm2d(hidden_dims[i + 1]),
                nn.LeakyReLU()))
        self.decoder = nn.Sequential(*modules)
        self.final_layer = nn.Sequential(
            nn.ConvTranspose2d(hidden_dims[-1], hidden_dims[-1], kernel_size=3, stride=2, padding=1,
                               output_padding=1),
            nn.BatchNorm2d(hidden_dims[-1]),
            nn.LeakyReLU(),
            nn.Conv2d(hidden_dims[-1], in_channels, kernel_size=3, padding=1),
            nn.Sigmoid())
        self.last_hidden = hidden_dims[0]

    def encode(self, x):
        result = self.encoder(x)
        result = torch.flatten(result, start_dim=1)
        return self.fc_mu(result), self.fc_var(result)

    def decode(self, z):
        result = self.decoder_input(z)
        result = result.view(-1, self.last_hidden, 7, 7)
        result = self.decoder(result)
        return self.final_layer(result)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return eps * std + mu

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon, x, mu, logvar):
    bce = F.binary_cross_entropy(recon, x, reduction='sum')
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


if __name__ == "__main__":
    model = ConvVAE()
    recon, mu, logvar = model(torch.rand(4, 1, 28, 28))
    print(recon.shape, mu.shape)

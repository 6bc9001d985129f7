"""GHN Lens trainer: a PyTorch GHN-2 pinned to the reference fixtures, an architecture sampler,
Fashion-MNIST data, training and evaluation. The only Python in the project."""

"""A CNN for sentence classification (Kim, 2014): parallel Conv1d over the embedded tokens with several
kernel sizes in an nn.ModuleList, max-over-time pooling, concatenation. Input: token ids [batch, seq_len]."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class TextCNN(nn.Module):
    def __init__(self, vocab_size=20000, embed_dim=128, num_filters=100, kernel_sizes=(3, 4, 5), num_classes=2,
                 dropout=0.5, padding_idx=0):
        super(TextCNN, self).__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=padding_idx)
        self.convs = nn.ModuleList([
            nn.Conv1d(in_channels=embed_dim, out_channels=num_filters, kernel_size=k) for k in kernel_sizes
        ])
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(len(kernel_sizes) * num_filters, num_classes)

    def forward(self, text):
        embedded = self.embedding(text)          # [batch, seq_len, embed_dim]
        embedded = embedded.permute(0, 2, 1)     # [batch, embed_dim, seq_len]
        conved = [F.relu(conv(embedded)) for conv in self.convs]
        pooled = [F.max_pool1d(c, c.shape[2]).squeeze(2) for c in conved]
        cat = self.dropout(torch.cat(pooled, dim=1))
        return self.fc(cat)


class BiGRUClassifier(nn.Module):
    """Embedding -> bidirectional GRU -> the last time step of both directions -> Linear."""

    def __init__(self, vocab_size=20000, embed_dim=128, hidden=64, num_classes=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.gru = nn.GRU(embed_dim, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, num_classes)

    def forward(self, x):
        out, _ = self.gru(self.embedding(x))
        return self.fc(out[:, -1, :])


if __name__ == "__main__":
    tokens = torch.randint(0, 20000, (2, 40))
    print(TextCNN()(tokens).shape, BiGRUClassifier()(tokens).shape)

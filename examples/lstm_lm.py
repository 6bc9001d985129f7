"""A word-level LSTM language model, after the PyTorch word_language_model example.

Input: token ids [batch, seq_len] (int64). Output: logits [batch, seq_len, ntoken].
"""
import torch
import torch.nn as nn


class LSTMLanguageModel(nn.Module):
    """Embedding -> 2-layer LSTM with dropout -> Linear decoder, weights optionally tied."""

    def __init__(self, ntoken=10000, ninp=256, nhid=256, nlayers=2, dropout=0.2, tie_weights=False):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, num_layers=nlayers, dropout=dropout, batch_first=True)
        self.decoder = nn.Linear(nhid, ntoken)

        if tie_weights:
            if nhid != ninp:
                raise ValueError('When using the tied flag, nhid must be equal to emsize')
            self.decoder.weight = self.encoder.weight

        self.init_weights()
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input):
        emb = self.drop(self.encoder(input))
        out, (h, c) = self.rnn(emb)
        out = self.drop(out)
        decoded = self.decoder(out)
        return decoded


class TiedLSTMLanguageModel(LSTMLanguageModel):
    """The same model with the decoder sharing the embedding's weight (Press & Wolf, 2016)."""

    def __init__(self, ntoken=10000, nhid=256):
        super().__init__(ntoken=ntoken, ninp=nhid, nhid=nhid, tie_weights=True)


if __name__ == "__main__":
    model = LSTMLanguageModel()
    tokens = torch.randint(0, 10000, (2, 35))
    print(model(tokens).shape)

"""Sequence models with loops in forward: a WaveNet-style stack of dilated causal Conv1d (gated
activations, skip connections summed with the builtin sum), a ConvLSTM over a 5-d video tensor with its
state made by torch.zeros, and a GRU encoder-decoder with Bahdanau-style attention unrolled for a fixed
number of steps (torch.stack of the step outputs)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ResidualLayer(nn.Module):
    def __init__(self, residual_channels, skip_channels, dilation):
        super().__init__()
        self.pad = dilation  # (kernel_size - 1) * dilation with kernel_size 2
        self.filter_conv = nn.Conv1d(residual_channels, residual_channels, kernel_size=2, dilation=dilation)
        self.gate_conv = nn.Conv1d(residual_channels, residual_channels, kernel_size=2, dilation=dilation)
        self.res_conv = nn.Conv1d(residual_channels, residual_channels, kernel_size=1)
        self.skip_conv = nn.Conv1d(residual_channels, skip_channels, kernel_size=1)

    def forward(self, x):
        h = F.pad(x, (self.pad, 0))
        z = torch.tanh(self.filter_conv(h)) * torch.sigmoid(self.gate_conv(h))
        return x + self.res_conv(z), self.skip_conv(z)


class WaveNet(nn.Module):
    def __init__(self, in_channels=256, residual_channels=32, skip_channels=64, layers=8, stacks=2):
        super().__init__()
        self.causal = nn.Conv1d(in_channels, residual_channels, kernel_size=1)
        self.layers = nn.ModuleList([
            ResidualLayer(residual_channels, skip_channels, 2 ** (i % layers)) for i in range(layers * stacks)
        ])
        self.head = nn.Sequential(
            nn.ReLU(),
            nn.Conv1d(skip_channels, skip_channels, kernel_size=1),
            nn.ReLU(),
            nn.Conv1d(skip_channels, in_channels, kernel_size=1),
        )

    def forward(self, x):
        x = self.causal(x)
        skips = []
        for layer in self.layers:
            x, skip = layer(x)
            skips.append(skip)
        return self.head(sum(skips))


class ConvLSTMCell(nn.Module):
    def __init__(self, input_dim, hidden_dim, kernel_size=3, bias=True):
        super(ConvLSTMCell, self).__init__()
        self.hidden_dim = hidden_dim
        self.conv = nn.Conv2d(in_channels=input_dim + hidden_dim, out_channels=4 * hidden_dim,
                              kernel_size=kernel_size, padding=kernel_size // 2, bias=bias)

    def forward(self, input_tensor, cur_state):
        h_cur, c_cur = cur_state
        combined = torch.cat([input_tensor, h_cur], dim=1)
        combined_conv = self.conv(combined)
        cc_i, cc_f, cc_o, cc_g = torch.split(combined_conv, self.hidden_dim, dim=1)
        i = torch.sigmoid(cc_i)
        f = torch.sigmoid(cc_f)
        o = torch.sigmoid(cc_o)
        g = torch.tanh(cc_g)
        c_next = f * c_cur + i * g
        h_next = o * torch.tanh(c_next)
        return h_next, c_next

    def init_hidden(self, batch_size, image_size):
        height, width = image_size
        return (torch.zeros(batch_size, self.hidden_dim, height, width, device=self.conv.weight.device),
                torch.zeros(batch_size, self.hidden_dim, height, width, device=self.conv.weight.device))


class ConvLSTMForecaster(nn.Module):
    """Input [batch, time, channels, height, width]; predicts the next frame from the last hidden state."""

    def __init__(self, input_dim=1, hidden_dims=(16, 16)):
        super().__init__()
        cells = []
        for i, h in enumerate(hidden_dims):
            cells.append(ConvLSTMCell(input_dim if i == 0 else hidden_dims[i - 1], h))
        self.cells = nn.ModuleList(cells)
        self.out = nn.Conv2d(hidden_dims[-1], input_dim, kernel_size=1)

    def forward(self, x):
        b, seq_len, _, h, w = x.size()
        layer_input = x
        for cell in self.cells:
            hc = cell.init_hidden(b, (h, w))
            outputs = []
            for t in range(seq_len):
                hc = cell(layer_input[:, t, :, :, :], hc)
                outputs.append(hc[0])
            layer_input = torch.stack(outputs, dim=1)
        return self.out(layer_input[:, -1])


class Encoder(nn.Module):
    def __init__(self, input_dim, emb_dim, hid_dim):
        super().__init__()
        self.embedding = nn.Embedding(input_dim, emb_dim)
        self.rnn = nn.GRU(emb_dim, hid_dim, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(hid_dim * 2, hid_dim)

    def forward(self, src):
        embedded = self.embedding(src)
        outputs, hidden = self.rnn(embedded)
        hidden = torch.tanh(self.fc(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)))
        return outputs, hidden


class Attention(nn.Module):
    def __init__(self, hid_dim):
        super().__init__()
        self.attn = nn.Linear(hid_dim * 3, hid_dim)
        self.v = nn.Linear(hid_dim, 1, bias=False)

    def forward(self, hidden, encoder_outputs):
        src_len = encoder_outputs.shape[1]
        hidden = hidden.unsqueeze(1).repeat(1, src_len, 1)
        energy = torch.tanh(self.attn(torch.cat((hidden, encoder_outputs), dim=2)))
        attention = self.v(energy).squeeze(2)
        return F.softmax(attention, dim=1)


class Decoder(nn.Module):
    def __init__(self, output_dim, emb_dim, hid_dim):
        super().__init__()
        self.output_dim = output_dim
        self.attention = Attention(hid_dim)
        self.embedding = nn.Embedding(output_dim, emb_dim)
        self.rnn = nn.GRU(hid_dim * 2 + emb_dim, hid_dim, batch_first=True)
        self.fc_out = nn.Linear(hid_dim * 3 + emb_dim, output_dim)

    def forward(self, input, hidden, encoder_outputs):
        embedded = self.embedding(input.unsqueeze(1))
        a = self.attention(hidden, encoder_outputs).unsqueeze(1)
        weighted = torch.bmm(a, encoder_outputs)
        rnn_input = torch.cat((embedded, weighted), dim=2)
        output, hidden = self.rnn(rnn_input, hidden.unsqueeze(0))
        prediction = self.fc_out(torch.cat((output.squeeze(1), weighted.squeeze(1), embedded.squeeze(1)), dim=1))
        return prediction, hidden.squeeze(0)


class Seq2Seq(nn.Module):
    """Greedy decoding for a fixed number of steps, starting from token 0."""

    def __init__(self, src_vocab=1000, trg_vocab=1200, emb_dim=64, hid_dim=128, max_len=12):
        super().__init__()
        self.encoder = Encoder(src_vocab, emb_dim, hid_dim)
        self.decoder = Decoder(trg_vocab, emb_dim, hid_dim)
        self.max_len = max_len

    def forward(self, src):
        encoder_outputs, hidden = self.encoder(src)
        input = torch.zeros(src.shape[0], dtype=torch.long, device=src.device)
        outputs = []
        for t in range(self.max_len):
            output, hidden = self.decoder(input, hidden, encoder_outputs)
            outputs.append(output)
            input = output.argmax(1)
        return torch.stack(outputs, dim=1)


if __name__ == '__main__':
    print(WaveNet()(torch.randn(1, 256, 100)).shape)
    print(ConvLSTMForecaster()(torch.randn(1, 5, 1, 16, 16)).shape)
    print(Seq2Seq()(torch.randint(0, 1000, (2, 9))).shape)

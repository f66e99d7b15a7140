"""A tiny transformer learns to reverse a sequence of digits: token and position
embeddings, a two-layer ``TransformerEncoder`` and a linear read-out predict, at each
position, the digit found at the mirrored position of the input.

Run with ``python tiny_transformer.py`` (PyTorch) or ``ember run tiny_transformer.py``.
"""

import torch
from torch import nn

from common import output_path, progress, save_plot, steps

torch.manual_seed(0)
digits, length = 10, 8


class Reverser(nn.Module):
    def __init__(self, d_model=64, heads=4, layers=2):
        super().__init__()
        self.tokens = nn.Embedding(digits, d_model)
        self.positions = nn.Parameter(torch.randn(length, d_model) * 0.1)
        layer = nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=128, dropout=0.0,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.readout = nn.Linear(d_model, digits)

    def forward(self, x):
        return self.readout(self.encoder(self.tokens(x) + self.positions))


def batch(size):
    x = torch.randint(0, digits, (size, length))
    return x, x.flip(1)


model = Reverser()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
loss_fn = nn.CrossEntropyLoss()
losses = []
for step in progress(range(steps(400, 5)), desc="steps"):
    x, y = batch(64)
    loss = loss_fn(model(x).reshape(-1, digits), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if (step + 1) % 100 == 0:
        print(f"step {step + 1:4d}  loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    x, y = batch(500)
    predicted = model(x).argmax(-1)
    per_digit = (predicted == y).float().mean().item()
    whole = (predicted == y).all(dim=1).float().mean().item()
print(f"digits right {per_digit:.3f}, whole sequences right {whole:.3f}")
print("input    ", x[0].tolist())
print("reversed ", predicted[0].tolist())
save_plot(output_path(__file__, "_loss.png"), {"training loss": losses},
          ylabel="cross-entropy", title="tiny transformer reversing digits")

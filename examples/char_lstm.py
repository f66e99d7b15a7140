"""A character-level LSTM that learns to babble in the style of a short text
(``data/ember_story.txt``): an ``Embedding``, an ``LSTM`` and a ``Linear`` read one
character at a time and predict the next; then the model writes, drawing each next
character with ``torch.multinomial``.

Run with ``python char_lstm.py`` (PyTorch) or ``ember run char_lstm.py``.
"""

import os

import torch
from torch import nn

from common import output_path, progress, save_plot, steps

torch.manual_seed(0)
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                       "ember_story.txt")) as f:
    text = f.read()
alphabet = sorted(set(text))
index_of = {c: i for i, c in enumerate(alphabet)}
encoded = torch.tensor([index_of[c] for c in text])
print(f"{len(text)} characters, {len(alphabet)} distinct")


class CharLSTM(nn.Module):
    def __init__(self, vocabulary, embedding=32, hidden=128):
        super().__init__()
        self.embed = nn.Embedding(vocabulary, embedding)
        self.lstm = nn.LSTM(embedding, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocabulary)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


model = CharLSTM(len(alphabet))
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
loss_fn = nn.CrossEntropyLoss()
sequence, batch = 48, 32
losses = []
for step in progress(range(steps(300, 5)), desc="steps"):
    starts = torch.randint(0, len(text) - sequence - 1, (batch,))
    windows = torch.stack([encoded[s:s + sequence + 1] for s in starts.tolist()])
    inputs, targets = windows[:, :-1], windows[:, 1:]
    logits, _ = model(inputs)
    loss = loss_fn(logits.reshape(-1, len(alphabet)), targets.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    losses.append(loss.item())
    if (step + 1) % 50 == 0:
        print(f"step {step + 1:4d}  loss {loss.item():.3f}")


def write(first, length=160, temperature=0.6):
    model.eval()
    out, state = [first], None
    x = torch.tensor([[index_of[first]]])
    with torch.no_grad():
        for _ in range(length):
            logits, state = model(x, state)
            probabilities = torch.softmax(logits[0, -1] / temperature, dim=0)
            nxt = torch.multinomial(probabilities, 1).item()
            out.append(alphabet[nxt])
            x = torch.tensor([[nxt]])
    model.train()
    return "".join(out)


print(f"final loss {losses[-1]:.3f}")
print("the model writes:")
print(write("T"))
save_plot(output_path(__file__, "_loss.png"), {"training loss": losses},
          ylabel="cross-entropy per character", title="character-level LSTM")

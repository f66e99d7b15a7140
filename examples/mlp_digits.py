"""An MLP (64-128-64-10, ReLU) on scikit-learn's 8x8 handwritten digits, with
``CrossEntropyLoss``, Adam, a ``DataLoader`` and a learning-rate schedule; reports test
accuracy and saves the model with ``torch.save`` (PyTorch's file format on both).

Run with ``python mlp_digits.py`` (PyTorch) or ``ember run mlp_digits.py``.
"""

import os
import tempfile

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from common import output_path, progress, save_plot, steps

torch.manual_seed(0)
digits = load_digits()
x_train, x_test, y_train, y_test = train_test_split(
    digits.data / 16.0, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
train = TensorDataset(torch.tensor(x_train, dtype=torch.float32), torch.tensor(y_train))
x_test = torch.tensor(x_test, dtype=torch.float32)
y_test = torch.tensor(y_test)

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                      nn.Linear(64, 10))
print(model)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
epochs = steps(20, 2)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=8, gamma=0.5)
loader = DataLoader(train, batch_size=64, shuffle=True)


def accuracy(inputs, targets):
    model.eval()
    with torch.no_grad():
        correct = (model(inputs).argmax(dim=1) == targets).float().mean().item()
    model.train()
    return correct


losses, accuracies = [], []
for epoch in progress(range(epochs), desc="epochs"):
    total = 0.0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    scheduler.step()
    losses.append(total / len(train))
    accuracies.append(accuracy(x_test, y_test))
    print(f"epoch {epoch + 1:2d}  loss {losses[-1]:.4f}  test accuracy {accuracies[-1]:.3f}  "
          f"lr {scheduler.get_last_lr()[0]:.5f}")

# A checkpoint in PyTorch's own format: either library can load it.
path = os.path.join(tempfile.mkdtemp(), "mlp_digits.pt")
torch.save(model.state_dict(), path)
restored = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10))
restored.load_state_dict(torch.load(path))
with torch.no_grad():
    same = torch.equal(restored(x_test).argmax(1), model(x_test).argmax(1))
print(f"test accuracy {accuracies[-1]:.3f}; reloaded checkpoint agrees: {same}")
save_plot(output_path(__file__, "_training.png"),
          {"training loss": losses, "test accuracy": accuracies}, xlabel="epoch",
          ylabel="", title="MLP on digits")

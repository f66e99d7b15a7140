"""Logistic regression on scikit-learn's breast-cancer data (569 tumours, 30 features):
standardise the features, train ``nn.Linear(30, 1)`` with ``BCEWithLogitsLoss`` and Adam
on mini-batches from a ``DataLoader``, and report test accuracy.

Run with ``python logistic_regression.py`` (PyTorch) or ``ember run logistic_regression.py``.
"""

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

from common import output_path, progress, save_plot, steps

torch.manual_seed(0)
data = load_breast_cancer()
x_train, x_test, y_train, y_test = train_test_split(
    data.data, data.target, test_size=0.25, random_state=0, stratify=data.target)
mean, std = x_train.mean(axis=0), x_train.std(axis=0)
x_train = torch.tensor((x_train - mean) / std, dtype=torch.float32)
x_test = torch.tensor((x_test - mean) / std, dtype=torch.float32)
y_train = torch.tensor(y_train, dtype=torch.float32)
y_test = torch.tensor(y_test, dtype=torch.float32)

loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True)
model = torch.nn.Linear(30, 1)
loss_fn = torch.nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

losses = []
for _epoch in progress(range(steps(30, 3)), desc="epochs"):
    total = 0.0
    for xb, yb in loader:
        loss = loss_fn(model(xb).squeeze(1), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    losses.append(total / len(x_train))

with torch.no_grad():
    probabilities = torch.sigmoid(model(x_test).squeeze(1))
    accuracy = ((probabilities > 0.5).float() == y_test).float().mean().item()
print(f"final training loss {losses[-1]:.4f}")
print(f"test accuracy {accuracy:.3f} on {len(y_test)} tumours")
weights = model.weight.detach().numpy().ravel()
strongest = np.argsort(-np.abs(weights))[:3]
print("most telling features:", ", ".join(data.feature_names[i] for i in strongest))
save_plot(output_path(__file__, "_loss.png"), {"training loss": losses}, xlabel="epoch",
          ylabel="binary cross-entropy", title="logistic regression, breast cancer")

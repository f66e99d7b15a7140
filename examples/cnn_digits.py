"""A small CNN on scikit-learn's 8x8 handwritten digits: two 3x3 convolutions, max
pooling, dropout and a linear classifier, trained with Adam. It reaches about 98% test
accuracy in a few seconds (the test suite checks at least 97%).

Run with ``python cnn_digits.py`` (PyTorch) or ``ember run cnn_digits.py``.
"""

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from common import output_path, progress, save_plot, steps

torch.manual_seed(0)
digits = load_digits()
images = digits.images[:, None] / 16.0          # (1797, 1, 8, 8): one channel
x_train, x_test, y_train, y_test = train_test_split(
    images, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
train = TensorDataset(torch.tensor(x_train, dtype=torch.float32), torch.tensor(y_train))
x_test = torch.tensor(x_test, dtype=torch.float32)
y_test = torch.tensor(y_test)


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),                             # 32 x 4 x 4
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Dropout(0.25),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


model = DigitsCNN()
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
loader = DataLoader(train, batch_size=32, shuffle=True)


def accuracy():
    model.eval()
    with torch.no_grad():
        correct = (model(x_test).argmax(dim=1) == y_test).float().mean().item()
    model.train()
    return correct


losses, accuracies = [], []
for epoch in progress(range(steps(12, 1)), desc="epochs"):
    total = 0.0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    losses.append(total / len(train))
    accuracies.append(accuracy())
    print(f"epoch {epoch + 1:2d}  loss {losses[-1]:.4f}  test accuracy {accuracies[-1]:.3f}")

print(f"test accuracy {accuracies[-1]:.3f}")
save_plot(output_path(__file__, "_training.png"),
          {"training loss": losses, "test accuracy": accuracies}, xlabel="epoch",
          ylabel="", title="CNN on digits")

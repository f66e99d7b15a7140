"""Benchmark workloads: each is the same code for ember and PyTorch, given the library.

A workload is ``make(lib) -> step``; ``step()`` runs one training iteration (or one cell).
Inputs are built once, outside the timed step, from NumPy arrays, so both libraries
compute on identical data. ``lib`` is the ``ember`` or the ``torch`` module: the code is
what a user would write after ``import ember as torch``.
"""

import numpy as np


def seed_training_loop(lib):
    """The seed tutorial's last cell: nn.Linear(1, 1) + MSELoss + SGD on 4 points."""
    X = lib.tensor([[1], [2], [3], [4]], dtype=lib.float32)
    Y = lib.tensor([[2], [4], [6], [8]], dtype=lib.float32)
    model = lib.nn.Linear(1, 1)
    loss = lib.nn.MSELoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.001)

    def step():
        y_pred = model(X)
        l = loss(Y, y_pred)
        l.backward()
        optimizer.step()
        optimizer.zero_grad()
    return step


def tiny_autograd(lib):
    """The seed's tiny-tensor cell: y = x + 2; z = (y*y*2).mean(); z.backward()."""
    x = lib.tensor(np.array([0.8152, 0.0337, 0.0456], dtype=np.float32), requires_grad=True)

    def step():
        y = x + 2
        z = (y * y * 2).mean()
        z.backward()
        x.grad.zero_()
    return step


def _digits():
    from sklearn.datasets import load_digits
    data = load_digits()
    x = (data.data / 16.0).astype(np.float32)
    return x, data.target.astype(np.int64)


def _train_step(lib, model, optimizer, loss_fn, batches):
    """A step function cycling through ``batches`` of (input, target) tensors."""
    state = {"i": 0}

    def step():
        xb, yb = batches[state["i"] % len(batches)]
        state["i"] += 1
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        return loss
    return step


def _digits_mlp_setup(lib):
    x, y = _digits()
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    batches = [(lib.tensor(x[i:i + 64]), lib.tensor(y[i:i + 64]))
               for i in range(0, len(x) - 63, 64)]
    return model, _train_step(lib, model, optimizer, nn.CrossEntropyLoss(), batches), x, y


def digits_mlp(lib):
    """MLP 64-128-64-10 with ReLU, CrossEntropyLoss and Adam on scikit-learn's digits;
    ``step.accuracy()`` trains a fresh model for 10 epochs and scores it, so both libraries
    report the accuracy of the same training run (the timed loop runs different counts)."""
    step = _digits_mlp_setup(lib)[1]
    step.accuracy = lambda: _accuracy_after_training(lib, epochs=10)
    return step


def _accuracy_after_training(lib, epochs):
    model, step, x, y = _digits_mlp_setup(lib)
    for _ in range(epochs * (len(x) // 64)):
        step()
    with lib.no_grad():
        predicted = model(lib.tensor(x)).argmax(1).numpy()
    return float((predicted == y).mean())


def large_mlp(lib):
    """MLP 784-1024-1024-10, batch 256, SGD with momentum: BLAS-bound."""
    rng = np.random.default_rng(0)
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                          nn.Linear(1024, 10))
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    batches = [(lib.tensor(rng.standard_normal((256, 784)).astype(np.float32)),
                lib.tensor(rng.integers(0, 10, 256)))]
    return _train_step(lib, model, optimizer, nn.CrossEntropyLoss(), batches)


def small_cnn(lib):
    """Conv2d(1,8,3)-ReLU-MaxPool-Conv2d(8,16,3)-ReLU-MaxPool-Linear, batch 64 of 1x28x28."""
    rng = np.random.default_rng(0)
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(16 * 5 * 5, 10))
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
    batches = [(lib.tensor(rng.standard_normal((64, 1, 28, 28)).astype(np.float32)),
                lib.tensor(rng.integers(0, 10, 64)))]
    return _train_step(lib, model, optimizer, nn.CrossEntropyLoss(), batches)


def lstm(lib):
    """One-layer LSTM, hidden 128, sequence 32, batch 32, a linear head on the last step."""
    rng = np.random.default_rng(0)
    lib.manual_seed(0)
    nn = lib.nn

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(32, 128, batch_first=True)
            self.head = nn.Linear(128, 10)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out[:, -1])

    model = Model()
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    batches = [(lib.tensor(rng.standard_normal((32, 32, 32)).astype(np.float32)),
                lib.tensor(rng.integers(0, 10, 32)))]
    return _train_step(lib, model, optimizer, nn.CrossEntropyLoss(), batches)


def transformer_layer(lib):
    """TransformerEncoderLayer: d_model 128, 4 heads, sequence 64, batch 16."""
    rng = np.random.default_rng(0)
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.TransformerEncoderLayer(d_model=128, nhead=4, dim_feedforward=256,
                                       dropout=0.0, batch_first=True)
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-4)
    x = lib.tensor(rng.standard_normal((16, 64, 128)).astype(np.float32))
    target = lib.tensor(rng.standard_normal((16, 64, 128)).astype(np.float32))
    return _train_step(lib, model, optimizer, nn.MSELoss(), [(x, target)])


WORKLOADS = {
    "seed training loop": seed_training_loop,
    "tiny-tensor autograd": tiny_autograd,
    "MLP on digits (Adam)": digits_mlp,
    "large MLP 784-1024-1024-10": large_mlp,
    "small CNN": small_cnn,
    "LSTM": lstm,
    "transformer encoder layer": transformer_layer,
}

# Targets from the performance issue: ember time / PyTorch time.
TARGETS = {
    "seed training loop": 0.3,
    "tiny-tensor autograd": 0.4,
    "MLP on digits (Adam)": 0.7,
    "large MLP 784-1024-1024-10": 1.1,
    "small CNN": 1.3,
    "LSTM": 1.0,
    "transformer encoder layer": 1.3,
}

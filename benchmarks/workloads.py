"""Benchmark workloads: each is the same code for ember and PyTorch, given the library.

A workload is ``make(lib) -> step``; ``step()`` runs one iteration. Inputs are built once
outside the timed step, from NumPy, so both libraries compute on identical data.
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


WORKLOADS = {
    "seed training loop (per iteration)": seed_training_loop,
    "tiny-tensor autograd cell": tiny_autograd,
}

"""Seeded training runs compared number for number with PyTorch: after ``manual_seed`` the
same initial weights, the same DataLoader batch order, the same dropout masks and so the
same loss curve (float32 tolerance), for nn.Linear and for a small CNN with Dropout."""

import numpy as np
import pytest
import torch

import ember


def _data(lib):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((96, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 4, 96)
    return lib.utils.data.TensorDataset(lib.tensor(x), lib.tensor(y))


def _linear(lib):
    return lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Linear(64, 4))


def _cnn(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Dropout2d(0.2), nn.Conv2d(6, 8, 3), nn.ReLU(), nn.Flatten(),
                         nn.Dropout(0.3), nn.Linear(32, 16), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(16, 4))


def _run(lib, make_model, optimizer_name, epochs=3):
    lib.manual_seed(1234)
    model = make_model(lib)
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    loader = lib.utils.data.DataLoader(_data(lib), batch_size=16, shuffle=True)
    if optimizer_name == "sgd":
        optimizer = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    else:
        optimizer = lib.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = lib.nn.CrossEntropyLoss()
    losses, batches = [], []
    for _ in range(epochs):
        for xb, yb in loader:
            batches.append(yb.numpy().copy())
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return initial, batches, np.array(losses)


@pytest.mark.parametrize("make_model,optimizer_name", [(_linear, "sgd"), (_cnn, "adam"),
                                                       (_cnn, "sgd")])
def test_seeded_run_matches_pytorch(make_model, optimizer_name):
    e_init, e_batches, e_losses = _run(ember, make_model, optimizer_name)
    t_init, t_batches, t_losses = _run(torch, make_model, optimizer_name)
    assert list(e_init) == list(t_init)
    for key in t_init:
        np.testing.assert_array_equal(e_init[key], t_init[key], err_msg=key)
    assert len(e_batches) == len(t_batches) == 18
    for ours, theirs in zip(e_batches, t_batches):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_allclose(e_losses, t_losses, rtol=1e-4, atol=1e-5)
    assert t_losses[-6:].mean() < t_losses[:6].mean()  # the run does learn something

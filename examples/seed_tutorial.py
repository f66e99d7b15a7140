"""The autograd tutorial ember started from (../shared/seed), cell by cell, as a script.

Each ``# %%`` block is one notebook cell, in the notebook's order. Where a cell ended in a
bare expression that the notebook displayed (``x.grad``), the script prints it, so the
script's output is the notebook's. Run it on PyTorch with ``python seed_tutorial.py`` and
on ember with ``ember run seed_tutorial.py``: the two print the same text.
"""

# %% In [16]
import numpy as np
import torch

# %% In [17]
x = torch.rand(3, requires_grad=True)
print(x)

# %% In [18]
y = x + 2
print(y)

# %% In [22]
y.backward(torch.ones_like(y))
print(x.grad)

# %% In [None]
z = y * y * 2
print(z)

# %% In [None]
z = z.mean()
print(z)

# %% In [None]
z.backward()
print(x.grad)

# %% In [26]
x = torch.rand(3, requires_grad=True)
print(x)

x.requires_grad_(False)
print(x)

# %% In [28]
x = torch.rand(3, requires_grad=True)
print(x)

y = x.detach()
print(y)

# %% In [30]
x = torch.randn(3, requires_grad=True)
with torch.no_grad():
    y = x + 2
    print(y)

# %% In [32]
weights = torch.ones(4, requires_grad=True)

for eopoch in range(3):
    model_output = (weights * 3).sum()
    print(model_output)
    model_output.backward()
    print(weights.grad)

# %% In [33]
weights = torch.ones(4, requires_grad=True)

for eopoch in range(3):
    model_output = (weights * 3).sum()
    model_output.backward()
    print(weights.grad)
    weights.grad.zero_()

# %% In [35]: backpropagation, the chain rule
x = torch.tensor(1.0)
y = torch.tensor(2.0)

w = torch.tensor(1.5, requires_grad=True)

# forward pass
y_hat = w * x
loss = (y_hat - y) ** 2
print(loss)

# backward pass
loss.backward()
print(w.grad)

# %% In [52]: gradient descent by hand, in NumPy
# f = w*x with w=2
X = np.array([1, 2, 3, 4], dtype=np.float32)
Y = np.array([2, 4, 6, 8], dtype=np.float32)

W = 0.0


# model prediction
def forward(x):
    return W * x


# loss
def loss(y, y_pred):
    return ((y - y_pred) ** 2).mean()


# gradient
# MSE = 1/N * (w*x-y)**2
# dJ/dw = 1/N* 2x * (w*x -y)
def gradient(x, y, y_pred):
    return np.dot(2 * x, y_pred - y).mean()


print(f'Prediction before training:f(5)={forward(5):.3f}')

# training
lr = 0.01
n_iters = 10

for epoch in range(n_iters):
    y_pred = forward(X)
    l = loss(Y, y_pred)

    dw = gradient(X, Y, y_pred)

    W -= lr * dw

    if epoch % 1 == 0:
        # The notebook prints `w` (the tensor from In [35]), not `W`: kept as written.
        print(f'epoch {epoch +1}: w = {w:.3f},loss={l:.8f}')


print(f'Prediction after training:f(5)={forward(5):.3f}')

# %% In [51]: gradient descent with autograd
# f = w*x with w=2
X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
Y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)

W = torch.tensor([0.0], dtype=torch.float32, requires_grad=True)


# model prediction
def forward(x):
    return W * x


# loss
def loss(y, y_pred):
    return ((y - y_pred) ** 2).mean()


# training
lr = 0.01
n_iters = 10

for epoch in range(n_iters):
    y_pred = forward(X)

    l = loss(Y, y_pred)

    l.backward()

    # The notebook's slip, kept as written: it updates W with w's gradient.
    with torch.no_grad():
        W -= lr * w.grad

    w.grad.zero_()

    if epoch % 1 == 0:
        print(f'epoch {epoch +1}: w = {w:.3f},loss={l:.8f}')

# %% In [12]: nn.MSELoss and optim.SGD
import torch.nn as nn  # noqa: E402

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
Y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)

W = torch.tensor(0.0, dtype=torch.float32, requires_grad=True)


# model prediction
def forward(x):
    return W * x


# loss
loss = nn.MSELoss()
optimizer = torch.optim.SGD([W], lr=0.01)

# training
n_iters = 10

for epoch in range(n_iters):
    y_pred = forward(X)

    l = loss(Y, y_pred)

    l.backward()

    optimizer.step()

    optimizer.zero_grad()

    if epoch % 1 == 0:
        print(f'epoch {epoch +1}: w = {W:.3f},loss={l:.8f}')

# %% In [23]: nn.Linear
X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
Y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
X_test = torch.tensor([5], dtype=torch.float32)
num_smaples, num_features = X.shape

# model prediction
model = nn.Linear(num_features, num_features)

# loss
loss = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.001)

# training
n_iters = 1000

for epoch in range(n_iters):
    y_pred = model(X)

    l = loss(Y, y_pred)

    l.backward()

    optimizer.step()

    optimizer.zero_grad()

    if epoch % 100 == 0:
        [w, b] = model.parameters()
        print(f'epoch {epoch +1}: w = {w[0][0]:.3f},loss={l:.8f}')


print(f'Prediction after training:f(5)={model(X_test).item():.3f}')

"""Fit sin(x) on [-pi, pi] with a cubic a + b x + c x^2 + d x^3, three ways:

1. gradients by hand (the chain rule written out),
2. gradients from autograd (``loss.backward()``),
3. ``nn.Linear`` on the features (x, x^2, x^3), ``nn.MSELoss`` and ``optim.SGD``.

Run with ``python polynomial_fit.py`` (PyTorch) or ``ember run polynomial_fit.py``.
"""

import math

import torch

from common import output_path, progress, save_plot, steps

torch.manual_seed(0)
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
learning_rate = 1e-6
iterations = steps(2000, 200)

# 1. By hand: d loss / d coefficient = sum(2 (y_pred - y) * feature).
a, b, c, d = torch.randn(4).unbind()
manual = []
for _step in progress(range(iterations), desc="by hand"):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    manual.append(loss.item())
    grad_y_pred = 2.0 * (y_pred - y)
    a = a - learning_rate * grad_y_pred.sum()
    b = b - learning_rate * (grad_y_pred * x).sum()
    c = c - learning_rate * (grad_y_pred * x ** 2).sum()
    d = d - learning_rate * (grad_y_pred * x ** 3).sum()
print(f"by hand:  y = {a.item():.4f} + {b.item():.4f} x + {c.item():.4f} x^2 + "
      f"{d.item():.4f} x^3, loss {manual[-1]:.2f}")

# 2. Autograd computes the same gradients.
coefficients = torch.randn(4, requires_grad=True)
automatic = []
for _step in progress(range(iterations), desc="autograd"):
    a, b, c, d = coefficients
    loss = (a + b * x + c * x ** 2 + d * x ** 3 - y).pow(2).sum()
    automatic.append(loss.item())
    loss.backward()
    with torch.no_grad():
        coefficients -= learning_rate * coefficients.grad
        coefficients.grad = None
a, b, c, d = coefficients.tolist()
print(f"autograd: y = {a:.4f} + {b:.4f} x + {c:.4f} x^2 + {d:.4f} x^3, "
      f"loss {automatic[-1]:.2f}")

# 3. nn and optim: a linear layer on the features x, x^2, x^3.
features = torch.stack([x, x ** 2, x ** 3], dim=1)
model = torch.nn.Linear(3, 1)
loss_fn = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)
with_nn = []
for _step in progress(range(iterations), desc="nn + optim"):
    loss = loss_fn(model(features).flatten(), y)
    with_nn.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
b, c, d = model.weight.detach().flatten().tolist()
print(f"nn+optim: y = {model.bias.item():.4f} + {b:.4f} x + {c:.4f} x^2 + {d:.4f} x^3, "
      f"loss {with_nn[-1]:.2f}")

save_plot(output_path(__file__, "_loss.png"),
          {"by hand": manual, "autograd": automatic, "nn + SGD(momentum)": with_nn},
          ylabel="sum of squared errors", title="fitting sin(x) with a cubic")

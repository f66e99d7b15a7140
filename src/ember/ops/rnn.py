"""Recurrent cells (``lstm_cell``, ``gru_cell``, ``rnn_tanh_cell``, ``rnn_relu_cell``) and the
fused LSTM layer behind ``nn.LSTM``.

The cells are built from ember ops, as PyTorch builds them (so ``hy.grad_fn`` is PyTorch's:
``MulBackward0`` for an LSTM's ``h``, ``AddBackward0`` for its ``c`` and for a GRU). The
``_step`` variants take the input projection precomputed for the whole sequence, as PyTorch's
CPU layers do; ``rnn_layer`` steps them over a sequence (or a ``PackedSequence``'s data).

``lstm_layer`` runs one direction of one float LSTM layer over a whole sequence as a single
graph node, named as PyTorch's oneDNN kernel (``MkldnnRnnLayerBackward0``). Its forward is a
NumPy loop over time steps (one GEMM per step on a transposed (hidden, batch) state, the gate
nonlinearities in place, large temporaries kept as per-thread scratch between calls) that
also leaves the derivative coefficients in the gates' buffer. Its first-order backward is
back-propagation through time on those arrays (one GEMM per step; the weight and input
gradients one GEMM each over the sequence). Under ``create_graph=True`` the gates are
recomputed from the inputs with ember ops and the same formula is written in ember ops, so
double backward through an LSTM works, as on PyTorch's CPU.
"""

import threading

import numpy as np

from ..autograd import grad_mode
from ._dispatch import Op, record_multi, wrap
from .addmm import addmm
from .joining import cat, stack

__all__ = ["lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell"]
FUNCTION_ONLY = list(__all__)

_state = grad_mode._state


def _linear(input, weight, bias):
    """``input @ weight.T + bias`` over the last dimension (``nn.functional.linear``)."""
    if input.dim() != 2:
        flat = _linear(input.reshape(-1, input.shape[-1]), weight, bias)
        return flat.view(*input.shape[:-1], weight.shape[0])
    if bias is None:
        return input.mm(weight.t())
    return addmm(bias, input, weight.t())


def _check_cell(input, hiddens, w_ih, w_hh):
    """PyTorch's ``check_rnn_cell_forward_input`` / ``_hidden`` messages."""
    if input.shape[1] != w_ih.shape[1]:
        raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                           f"expected {w_ih.shape[1]}")
    for label, hx in enumerate(hiddens):
        if input.shape[0] != hx.shape[0]:
            raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match "
                               f"hidden{label} batch size {hx.shape[0]}")
        if hx.shape[1] != w_hh.shape[1]:
            raise RuntimeError(f"hidden{label} has inconsistent hidden_size: "
                               f"got {hx.shape[1]}, expected {w_hh.shape[1]}")


def lstm_step(igates, hx, cx, w_hh, b_hh):
    """One LSTM step from the precomputed input projection: ``(hy, cy)``."""
    ingate, forgetgate, cellgate, outgate = (_linear(hx, w_hh, b_hh) + igates).chunk(4, 1)
    ingate, forgetgate = ingate.sigmoid(), forgetgate.sigmoid()
    cellgate, outgate = cellgate.tanh(), outgate.sigmoid()
    cy = forgetgate * cx + ingate * cellgate
    return outgate * cy.tanh(), cy


def gru_step(igates, hx, w_hh, b_hh):
    """One GRU step: ``n = tanh(i_n + r * h_n)``, ``hy = (hx - n) * z + n``."""
    i_r, i_z, i_n = igates.chunk(3, 1)
    h_r, h_z, h_n = _linear(hx, w_hh, b_hh).chunk(3, 1)
    resetgate = (h_r + i_r).sigmoid()
    inputgate = (h_z + i_z).sigmoid()
    newgate = (i_n + h_n * resetgate).tanh()
    return (hx - newgate) * inputgate + newgate


def rnn_step(igates, hx, w_hh, b_hh, nonlinearity):
    pre = _linear(hx, w_hh, b_hh) + igates
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    _check_cell(input, hx, w_ih, w_hh)
    return lstm_step(_linear(input, w_ih, b_ih), hx[0], hx[1], w_hh, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    _check_cell(input, (hx,), w_ih, w_hh)
    return gru_step(_linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    _check_cell(input, (hx,), w_ih, w_hh)
    return rnn_step(_linear(input, w_ih, b_ih), hx, w_hh, b_hh, "tanh")


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    _check_cell(input, (hx,), w_ih, w_hh)
    return rnn_step(_linear(input, w_ih, b_ih), hx, w_hh, b_hh, "relu")


def rnn_layer(mode, input, hx, cx, params, reverse, batch_sizes):
    """One direction of one layer through the composite cells: ``(output, h_n, c_n)``.

    ``params`` is ``(w_ih, w_hh, b_ih, b_hh, w_hr)``; ``batch_sizes`` (a list) means
    ``input`` is the data of a ``PackedSequence``. ``cx`` is None except for an LSTM.
    """
    w_ih, w_hh, b_ih, b_hh, w_hr = params
    igates = _linear(input, w_ih, b_ih)

    def step(x, h, c):
        if mode == "LSTM":
            h, c = lstm_step(x, h, c, w_hh, b_hh)
            return (h if w_hr is None else h.matmul(w_hr.t())), c
        if mode == "GRU":
            return gru_step(x, h, w_hh, b_hh), None
        return rnn_step(x, h, w_hh, b_hh, "tanh" if mode == "RNN_TANH" else "relu"), None

    if batch_sizes is None:
        igates = igates.unbind(0)
        outputs = [None] * len(igates)
        for t in (reversed(range(len(igates))) if reverse else range(len(igates))):
            hx, cx = step(igates[t], hx, cx)
            outputs[t] = hx
        return stack(outputs), hx, cx
    offsets = [0]
    for size in batch_sizes:
        offsets.append(offsets[-1] + size)
    outputs = [None] * len(batch_sizes)
    if reverse:
        # The shortest sequences start last: rows join the state as the batch grows.
        full_h, full_c = hx, cx
        last = batch_sizes[-1]
        hx = hx[:last]
        cx = None if cx is None else cx[:last]
        for t in reversed(range(len(batch_sizes))):
            size = batch_sizes[t]
            if size > last:
                hx = cat([hx, full_h[last:size]])
                cx = None if cx is None else cat([cx, full_c[last:size]])
                last = size
            hx, cx = step(igates[offsets[t]:offsets[t + 1]], hx, cx)
            outputs[t] = hx
        return cat(outputs), hx, cx
    # Forward: rows whose sequence ended leave the state and are set aside.
    done_h, done_c = [], []
    last = batch_sizes[0]
    for t, size in enumerate(batch_sizes):
        if size < last:
            done_h.append(hx[size:last])
            hx = hx[:size]
            if cx is not None:
                done_c.append(cx[size:last])
                cx = cx[:size]
            last = size
        hx, cx = step(igates[offsets[t]:offsets[t + 1]], hx, cx)
        outputs[t] = hx
    h_n = cat([hx] + done_h[::-1])
    c_n = None if cx is None else cat([cx] + done_c[::-1])
    return cat(outputs), h_n, c_n


_scratch = threading.local()
_SCRATCH_LIMIT = 16 << 20


def _buffer(name, shape, dtype):
    """A scratch array kept between calls (per thread, one per ``name``): reusing it spares
    the page faults a fresh multi-MB allocation costs on every training step. Arrays over
    ``_SCRATCH_LIMIT`` bytes are not kept, which bounds what a thread holds (seven names)."""
    array = getattr(_scratch, name, None)
    if array is None or array.shape != shape or array.dtype != dtype:
        array = np.empty(shape, dtype)
        setattr(_scratch, name, array if array.nbytes <= _SCRATCH_LIMIT else None)
    return array


def _copy_into(name, array):
    """``array`` copied into C-contiguous scratch ``name``."""
    out = _buffer(name, array.shape, array.dtype)
    np.copyto(out, array)
    return out


def _lstm_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse, for_backward):
    """The layer on arrays: ``(output, h_n, c_n, saved)``; ``saved`` (what the first-order
    backward needs, see ``_lstm_backward``) is None unless ``for_backward``.

    The loop keeps the state transposed, (hidden, batch), and each step's gates as
    (4 * hidden, batch): OpenBLAS runs ``W @ h^T`` faster than ``h @ W^T`` at these shapes,
    and each gate is then one contiguous block for the pointwise ufuncs. Each step is one
    GEMM ``[W_hh | W_ih | b] @ [h; x_t; 1]`` written straight into that step's gates: the
    longer inner dimension costs less than a separate input projection and two adds."""
    steps, batch, size = x.shape
    hidden = w_hh.shape[1]
    dtype = x.dtype
    h2, h3 = 2 * hidden, 3 * hidden
    inner = hidden + size + (b_ih is not None)
    weight = np.empty((4 * hidden, inner), dtype)
    weight[:, :hidden] = w_hh
    weight[:, hidden:hidden + size] = w_ih
    if b_ih is not None:
        np.add(b_ih, b_hh, out=weight[:, -1])
    # sigmoid(x) = 0.5 * tanh(x / 2) + 0.5: halving the sigmoid gates' rows lets one tanh
    # over the whole gate block serve all four gates [i, f, g, o].
    weight[:h2] *= 0.5
    weight[h3:] *= 0.5
    # Slot s of ``state`` holds [h; x; 1] for one step: each step reads its slot and writes
    # its h into the top rows of the next step's slot (h0 sits in the first step's).
    state = _buffer("state", (steps + 1, inner, batch), dtype)
    if reverse:
        first, x_slots, order = steps, state[1:], range(steps - 1, -1, -1)
    else:
        first, x_slots, order = 0, state[:steps], range(steps)
    state[first, :hidden] = h0.T
    np.copyto(x_slots[:, hidden:hidden + size], x.transpose(0, 2, 1))
    state[:, hidden + size:] = 1
    gates = np.empty((steps, 4 * hidden, batch), dtype)
    # c0 sits where the step before the first would be, so the previous cells are one view.
    cells = _buffer("cells", (steps + 1, hidden, batch), dtype)
    cells[first] = c0.T
    if reverse:
        c_prev, cells, h_in, h_out = cells[1:], cells[:steps], state[1:], state[:steps]
    else:
        c_prev, cells, h_in, h_out = cells[:steps], cells[1:], state[:steps], state[1:]
    tanh_cells = np.empty((steps, hidden, batch), dtype)
    product = np.empty((hidden, batch), dtype)
    # A zero initial state (the default) leaves only the x and bias rows in the first GEMM.
    skip = not h0.any()
    for t in order:
        a = gates[t]
        if skip:
            skip = False
            np.matmul(weight[:, hidden:], h_in[t, hidden:], out=a)
        else:
            np.matmul(weight, h_in[t], out=a)
        np.tanh(a, out=a)
        for block in (a[:h2], a[h3:]):
            block *= 0.5
            block += 0.5
        c_t, tc_t = cells[t], tanh_cells[t]
        np.multiply(a[hidden:h2], c_prev[t], out=c_t)
        np.multiply(a[:hidden], a[h2:h3], out=product)
        c_t += product
        np.tanh(c_t, out=tc_t)
        np.multiply(a[h3:], tc_t, out=h_out[t, :hidden])
    # One transposing copy back to PyTorch's (steps, batch, hidden) layout (a real copy even
    # where the transpose is already contiguous, as state and cells are reused scratch).
    output = h_out[:, :hidden].transpose(0, 2, 1).copy()
    end = order[-1]
    h_n, c_n = output[end].copy(), cells[end].T.copy()
    if not for_backward:
        return output, h_n, c_n, None
    # The derivative coefficients over the whole sequence at once, in place of the gates:
    # dG_t = [dc, dc, dc, dh]_t * coef_t, and dc_t gets dh_t * o(1 - tanh(c)^2).
    coef = gates.reshape(steps, 4, hidden, batch)
    ingate, forgetgate, cellgate, outgate = (coef[:, k] for k in range(4))
    forget = forgetgate.copy()
    tmp = _buffer("tmp", tanh_cells.shape, dtype)
    np.subtract(1, outgate, out=tmp)
    tmp *= tanh_cells
    dh_to_dc = tanh_cells
    np.multiply(tanh_cells, tanh_cells, out=dh_to_dc)
    np.subtract(1, dh_to_dc, out=dh_to_dc)
    dh_to_dc *= outgate
    outgate *= tmp
    np.subtract(1, forgetgate, out=tmp)
    tmp *= c_prev
    forgetgate *= tmp
    np.subtract(1, ingate, out=tmp)
    tmp *= cellgate
    np.multiply(cellgate, cellgate, out=cellgate)
    np.subtract(1, cellgate, out=cellgate)
    cellgate *= ingate
    ingate *= tmp
    x_flat = x.reshape(steps * batch, x.shape[2])
    return output, h_n, c_n, (coef, dh_to_dc, forget, x_flat)


def _lstm_backward(saved, output, h0, w_ih, w_hh, grad_output, grad_hy, grad_cy, reverse,
                   need):
    """BPTT on arrays: the gradients of (x, h0, c0, w_ih, w_hh, bias), None where not needed.

    One GEMM per step (``W_hh^T @ dG_t``, in the forward's transposed layout); the weight
    and input gradients are single GEMMs over the whole sequence afterwards."""
    coef, dh_to_dc, forget, x_flat = saved
    steps, _, hidden, batch = coef.shape
    dgates = _buffer("dgates", coef.shape, coef.dtype)
    rows = dgates.reshape(steps, 4 * hidden, batch)
    w_hh_t = np.ascontiguousarray(w_hh.T)
    # Transposed once so each step's add reads contiguous memory; a batch_first gradient is
    # made row-contiguous first, as a direct gather across its batch stride is ~2x slower.
    if not grad_output.flags.c_contiguous:
        grad_output = _copy_into("grad_rows", grad_output)
    grad_steps = _copy_into("grad_steps", grad_output.transpose(0, 2, 1))
    dh = np.empty((hidden, batch), coef.dtype)
    dc = np.empty_like(dh)
    carry_out = np.empty_like(dh)
    order = range(steps) if reverse else range(steps - 1, -1, -1)
    np.add(grad_steps[order[0]], grad_hy.T, out=dh)
    carry = grad_cy.T
    later = None
    for t in order:
        if later is not None:
            np.matmul(w_hh_t, rows[later], out=dh)
            dh += grad_steps[t]
        np.multiply(dh, dh_to_dc[t], out=dc)
        dc += carry
        # (3, hidden, batch) * (hidden, batch): the broadcast is over the outermost axis.
        np.multiply(coef[t, :3], dc, out=dgates[t, :3])
        np.multiply(coef[t, 3], dh, out=dgates[t, 3])
        np.multiply(dc, forget[t], out=carry_out)
        carry = carry_out
        later = t
    # Columns in (step, batch) order, so each weight gradient is one GEMM over contiguous rows.
    flat = _buffer("flat", (4 * hidden, steps, batch), coef.dtype)
    np.copyto(flat, rows.transpose(1, 0, 2))
    flat = flat.reshape(4 * hidden, steps * batch)
    dx = np.matmul(flat.T, w_ih).reshape(steps, batch, w_ih.shape[1]) if need[0] else None
    dh0 = np.matmul(rows[later].T, w_hh) if need[1] else None
    dc0 = carry.T.copy() if need[2] else None
    dw_ih = np.matmul(flat, x_flat) if need[3] else None
    dw_hh = None
    if need[4]:
        # h before each step is the output of the neighbouring step, or h0 at the edge.
        inner = (flat[:, :-batch], output[1:]) if reverse else (flat[:, batch:], output[:-1])
        dw_hh = np.matmul(inner[0], inner[1].reshape(-1, hidden))
        if h0.any():
            dw_hh += np.matmul(rows[later], h0)
    db = None
    if need[5] or need[6]:
        # A GEMV against ones sums the rows ~3x faster than ``flat.sum(1)``.
        db = np.matmul(flat, np.ones(steps * batch, coef.dtype))
    return dx, dh0, dc0, dw_ih, dw_hh, db


def _recompute(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
    """The forward again in differentiable ember ops (for ``create_graph=True``)."""
    igates = _linear(x, w_ih, b_ih).unbind(0)
    steps = len(igates)
    gates, cells, outputs = [None] * steps, [None] * steps, [None] * steps
    h, c = h0, c0
    for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
        pre = (_linear(h, w_hh, b_hh) + igates[t]).chunk(4, 1)
        a = cat([pre[0].sigmoid(), pre[1].sigmoid(), pre[2].tanh(), pre[3].sigmoid()], 1)
        gates[t] = a
        ingate, forgetgate, cellgate, outgate = a.chunk(4, 1)
        c = forgetgate * c + ingate * cellgate
        h = outgate * c.tanh()
        cells[t], outputs[t] = c, h
    cells = stack(cells)
    return stack(outputs), stack(gates), cells, cells.tanh()


class MkldnnRnnLayerBackward0(Op):
    """One direction of one LSTM layer over a sequence: ``(output, h_n, c_n)``.

    Two backward paths, by the lead's decision: when the engine runs without
    ``create_graph`` (grad mode off inside ``backward``), BPTT runs on raw NumPy arrays from
    the derivative coefficients the forward saved (``_lstm_backward``); under
    ``create_graph=True`` the gates are recomputed with ember ops and the same formula is
    written in ember ops, so double backward stays correct. Both give the same numbers.
    """

    formula = ("BPTT: dG_t = [dc*g*i(1-i), dc*c_{t-1}*f(1-f), dc*i(1-g^2), dh*tanh(c)*o(1-o)]; "
               "dh_{t-1} = dG_t @ W_hh, dc_{t-1} = dc_t * f")
    saves = (0, 1, 2, 3, 4, 5, 6, "result")

    def backward(self, grad_output, grad_hy, grad_cy):
        x, h0, c0, w_ih, w_hh, b_ih, b_hh, output = self.saved_tensors
        reverse = self.ctx["reverse"]
        need = [e[0] is not None for e in self.next_functions]
        if not _state.enabled:
            grads = _lstm_backward(self.ctx["saved"], output._data, h0._data, w_ih._data,
                                   w_hh._data, grad_output._data, grad_hy._data,
                                   grad_cy._data, reverse, need)
            dx, dh0, dc0, dw_ih, dw_hh, db = (None if g is None else wrap(g) for g in grads)
            return dx, dh0, dc0, dw_ih, dw_hh, db, db
        output, gates, cells, tanh_cells = _recompute(x, h0, c0, w_ih, w_hh, b_ih, b_hh,
                                                      reverse)
        first, last = (-1, 0) if reverse else (0, -1)
        # h and c before each step, in time order.
        if reverse:
            h_prev = cat([output[1:], h0.unsqueeze(0)])
            c_prev = cat([cells[1:], c0.unsqueeze(0)])
        else:
            h_prev = cat([h0.unsqueeze(0), output[:-1]])
            c_prev = cat([c0.unsqueeze(0), cells[:-1]])
        ingate, forgetgate, cellgate, outgate = gates.chunk(4, 2)
        # dc_t = dc_{from t+1} + dh_t * o(1 - tanh(c)^2); dG_t = [dc,dc,dc,dh] * coef_t.
        dh_to_dc = (outgate * (1 - tanh_cells * tanh_cells)).unbind(0)
        coef = cat([cellgate * ingate * (1 - ingate), c_prev * forgetgate * (1 - forgetgate),
                    ingate * (1 - cellgate * cellgate),
                    tanh_cells * outgate * (1 - outgate)], 2).unbind(0)
        forgets = forgetgate.unbind(0)
        grad_steps = grad_output.unbind(0)
        steps = len(grad_steps)
        order = list(range(steps)) if reverse else list(range(steps - 1, -1, -1))
        dgates = [None] * steps
        dh = grad_hy + grad_steps[last]
        dc_next = grad_cy
        for k, t in enumerate(order):
            dc = dc_next + dh * dh_to_dc[t]
            dgate = cat([dc, dc, dc, dh], 1) * coef[t]
            dgates[t] = dgate
            dc_next = dc * forgets[t]
            if k + 1 < steps:
                dh = grad_steps[order[k + 1]].addmm(dgate, w_hh)
        dgates = stack(dgates)
        flat = dgates.flatten(0, 1)
        dx = dgates.matmul(w_ih) if need[0] else None
        dh0 = dgates[first].mm(w_hh) if need[1] else None
        dw_ih = flat.t().mm(x.flatten(0, 1)) if need[3] else None
        dw_hh = flat.t().mm(h_prev.flatten(0, 1)) if need[4] else None
        db = flat.sum(0) if need[5] or need[6] else None
        return dx, dh0, dc_next, dw_ih, dw_hh, db, db


def lstm_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse=False):
    """One LSTM layer direction on ``x`` (T, B, I): ``(output, h_n, c_n)``, one graph node."""
    inputs = (x, h0, c0, w_ih, w_hh, b_ih, b_hh)
    grad = _state.enabled and any(t is not None and t._requires_grad for t in inputs)
    output, h_n, c_n, saved = _lstm_forward(
        x._data, h0._data, c0._data, w_ih._data, w_hh._data,
        None if b_ih is None else b_ih._data, None if b_hh is None else b_hh._data,
        reverse, grad)
    results = (wrap(output), wrap(h_n), wrap(c_n))
    if grad:
        record_multi(MkldnnRnnLayerBackward0, results, inputs,
                     {"reverse": reverse, "saved": saved})
    return results

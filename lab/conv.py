"""2-D convolution by im2col: output sizes, receptive fields, parameter counts and gradients.

Shapes follow the frameworks: an input batch is (N, C_in, H, W), a kernel bank is
(C_out, C_in, F, F), a bias is (C_out,). "Convolution" means cross-correlation (no kernel flip),
as in every deep-learning library. Kernels are square and use one stride, padding and dilation
for both spatial axes; inputs may be rectangular.
"""

from __future__ import annotations

import math

import numpy as np

SIZE_EXAMPLES = (  # (W, F, P, S, d): one spatial dimension each
    (32, 3, 1, 1, 1),  # a "same" 3x3 convolution
    (227, 11, 0, 4, 1),  # the first layer of AlexNet
    (32, 3, 2, 1, 2),  # dilated 3x3 with padding 2: still "same"
    (64, 3, 0, 1, 4),  # dilated 3x3 without padding: acts like a 9x9 window
    (224, 7, 3, 2, 1),  # the ResNet/GoogLeNet stem: (224 - 7 + 6) / 2 is not an integer
    (112, 3, 0, 2, 1),  # the pooling window after that stem: floor and ceil disagree
)

X_HAND = np.array([[1, 2, 0, 1, 3],
                   [0, 1, 3, 2, 1],
                   [2, 0, 1, 0, 2],
                   [1, 3, 2, 1, 0],
                   [0, 1, 2, 3, 1]], dtype=float)
K_HAND = np.array([[1, 0, -1],
                   [2, 0, -2],
                   [1, 0, -1]], dtype=float)  # a Sobel kernel: small integers a reader can multiply

GRAD_SHAPES = {"n": 2, "c_in": 3, "h": 7, "w": 7, "c_out": 4, "f": 3}
GRAD_CONV = {"stride": 2, "pad": 1, "dilation": 2}  # every option at once: the hardest case

RF_STACK = (  # (kernel, stride, dilation) per layer; padding d (k - 1) / 2 keeps sizes "same"
    (3, 1, 1),
    (3, 1, 1),
    (3, 2, 1),
    (3, 1, 2),
    (3, 1, 1),
    (1, 1, 1),
)
RF_INPUT = 40
RF_CHANNELS = 2

PARAM_LAYER = {"c_in": 128, "c_out": 256, "f": 3, "out_h": 56, "out_w": 56}


# -- sizes ------------------------------------------------------------------------------------
def effective_kernel(f: int, dilation: int) -> int:
    """Span of a dilated kernel: F taps with d - 1 holes between neighbours."""
    return dilation * (f - 1) + 1


def out_size(w: int, f: int, pad: int, stride: int, dilation: int = 1, ceil_mode: bool = False) -> int:
    """Number of window positions along one axis: floor((W + 2P - F_eff) / S) + 1.

    Floor counts only windows that fit inside the padded input. ``ceil_mode`` is the pooling
    variant (Caffe's pooling, PyTorch's ``ceil_mode=True``) that keeps one more, partial window.
    """
    span = w + 2 * pad - effective_kernel(f, dilation)
    if span < 0:
        raise ValueError(f"kernel span {effective_kernel(f, dilation)} exceeds padded input {w + 2 * pad}")
    steps = math.ceil(span / stride) if ceil_mode else span // stride
    return steps + 1


# -- forward ----------------------------------------------------------------------------------
def pad_input(x: np.ndarray, pad: int) -> np.ndarray:
    """Zero-pad the two spatial axes of an (N, C, H, W) batch."""
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))


def im2col(x: np.ndarray, f: int, stride: int, pad: int,
           dilation: int) -> np.ndarray:
    """Unfold every receptive window into a column of the
    (C*F*F, N*H_out*W_out) matrix.

    Row (c, ki, kj) holds tap (ki, kj) of channel c for every window;
    column (n, r, q) is the flattened window of output pixel (r, q) of
    image n. One slice per tap, no Python loop over windows.
    """
    n, c, h, w = x.shape
    out_h = out_size(h, f, pad, stride, dilation)
    out_w = out_size(w, f, pad, stride, dilation)
    xp = pad_input(x, pad)
    cols = np.empty((c, f, f, n, out_h, out_w))
    for ki in range(f):
        for kj in range(f):
            top, left = ki * dilation, kj * dilation
            bottom = top + stride * (out_h - 1) + 1
            right = left + stride * (out_w - 1) + 1
            window = xp[:, :, top:bottom:stride, left:right:stride]
            cols[:, ki, kj] = window.transpose(1, 0, 2, 3)
    return cols.reshape(c * f * f, n * out_h * out_w)


def im2col_clear(x: np.ndarray, f: int, stride: int, pad: int,
                 dilation: int) -> np.ndarray:
    """The definition of im2col: each receptive window, flattened in
    (c, ki, kj) order, becomes one column, one window at a time."""
    n, c, h, w = x.shape
    out_h = out_size(h, f, pad, stride, dilation)
    out_w = out_size(w, f, pad, stride, dilation)
    span = effective_kernel(f, dilation)
    xp = pad_input(x, pad)
    cols = np.empty((c * f * f, n * out_h * out_w))
    for m, (i, r, q) in enumerate(np.ndindex(n, out_h, out_w)):
        top, left = r * stride, q * stride
        window = xp[i, :, top:top + span:dilation,
                    left:left + span:dilation]
        cols[:, m] = window.ravel()
    return cols


def conv2d(x: np.ndarray, W: np.ndarray, b: np.ndarray,
           stride: int = 1, pad: int = 0,
           dilation: int = 1) -> np.ndarray:
    """Convolution as ONE matrix product:
    (C_out, C_in*F*F) @ (C_in*F*F, N*H_out*W_out)."""
    n, _, h, w = x.shape
    c_out, _, f, _ = W.shape
    out_h = out_size(h, f, pad, stride, dilation)
    out_w = out_size(w, f, pad, stride, dilation)
    cols = im2col(x, f, stride, pad, dilation)
    y = W.reshape(c_out, -1) @ cols + b[:, None]
    return y.reshape(c_out, n, out_h, out_w).transpose(1, 0, 2, 3)


def conv2d_naive(x: np.ndarray, W: np.ndarray, b: np.ndarray,
                 stride: int = 1, pad: int = 0,
                 dilation: int = 1) -> np.ndarray:
    """The definition, one multiply-add at a time: an independent
    reference for im2col."""
    n, c_in, h, w = x.shape
    c_out, _, f, _ = W.shape
    out_h = out_size(h, f, pad, stride, dilation)
    out_w = out_size(w, f, pad, stride, dilation)
    y = np.zeros((n, c_out, out_h, out_w))
    xp = pad_input(x, pad)
    for i, o, r, q in np.ndindex(y.shape):
        total = b[o]
        for c, ki, kj in np.ndindex(c_in, f, f):
            row = r * stride + ki * dilation
            col = q * stride + kj * dilation
            total += W[o, c, ki, kj] * xp[i, c, row, col]
        y[i, o, r, q] = total
    return y


# -- backward ---------------------------------------------------------------------------------
def col2im(cols: np.ndarray, x_shape: tuple[int, ...], f: int,
           stride: int, pad: int, dilation: int) -> np.ndarray:
    """The adjoint of im2col: add every column entry back onto the pixel
    it was copied from. Overlapping windows copied a pixel several
    times, so its gradient is the SUM of those copies. One slice per
    tap, no Python loop over windows.
    """
    n, c, h, w = x_shape
    out_h = out_size(h, f, pad, stride, dilation)
    out_w = out_size(w, f, pad, stride, dilation)
    cols = cols.reshape(c, f, f, n, out_h, out_w)
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    for ki in range(f):
        for kj in range(f):
            top, left = ki * dilation, kj * dilation
            bottom = top + stride * (out_h - 1) + 1
            right = left + stride * (out_w - 1) + 1
            copies = cols[:, ki, kj].transpose(1, 0, 2, 3)
            xp[:, :, top:bottom:stride, left:right:stride] += copies
    return xp[:, :, pad:pad + h, pad:pad + w]


def col2im_clear(cols: np.ndarray, x_shape: tuple[int, ...], f: int,
                 stride: int, pad: int, dilation: int) -> np.ndarray:
    """The adjoint of im2col, one window at a time: add each column back
    onto the window it was copied from, so a pixel that several windows
    copied collects the sum of its copies."""
    n, c, h, w = x_shape
    out_h = out_size(h, f, pad, stride, dilation)
    out_w = out_size(w, f, pad, stride, dilation)
    span = effective_kernel(f, dilation)
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    for m, (i, r, q) in enumerate(np.ndindex(n, out_h, out_w)):
        top, left = r * stride, q * stride
        xp[i, :, top:top + span:dilation,
           left:left + span:dilation] += cols[:, m].reshape(c, f, f)
    return xp[:, :, pad:pad + h, pad:pad + w]


def conv2d_backward(dY: np.ndarray, x: np.ndarray, W: np.ndarray,
                    stride: int = 1, pad: int = 0, dilation: int = 1,
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of Y = W_mat @ cols + b: dW = dY_mat cols^T,
    db = row sums of dY_mat, dX = col2im(W_mat^T dY_mat)."""
    c_out, _, f, _ = W.shape
    # the same column order as im2col
    dY_mat = dY.transpose(1, 0, 2, 3).reshape(c_out, -1)
    cols = im2col(x, f, stride, pad, dilation)
    dW = (dY_mat @ cols.T).reshape(W.shape)
    db = dY_mat.sum(axis=1)
    dcols = W.reshape(c_out, -1).T @ dY_mat
    dX = col2im(dcols, x.shape, f, stride, pad, dilation)
    return dX, dW, db


# -- channel mixing -----------------------------------------------------------------------------
def depthwise_conv2d(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0,
                     dilation: int = 1) -> np.ndarray:
    """One F x F kernel per channel, no mixing: W is (C, 1, F, F), each channel its own product."""
    n, c, h, w = x.shape
    f = W.shape[-1]
    out_h, out_w = out_size(h, f, pad, stride, dilation), out_size(w, f, pad, stride, dilation)
    cols = im2col(x, f, stride, pad, dilation).reshape(c, f * f, -1)
    y = np.einsum("ck,ckm->cm", W.reshape(c, f * f), cols) + b[:, None]
    return y.reshape(c, n, out_h, out_w).transpose(1, 0, 2, 3)


def conv_params(c_in: int, c_out: int, f: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The arrays of a standard convolution layer, to be counted rather than trusted."""
    return {"W": rng.standard_normal((c_out, c_in, f, f)), "b": np.zeros(c_out)}


def separable_params(c_in: int, c_out: int, f: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Depthwise F x F (one kernel per input channel) followed by a pointwise 1 x 1 mix."""
    return {"W_dw": rng.standard_normal((c_in, 1, f, f)), "b_dw": np.zeros(c_in),
            "W_pw": rng.standard_normal((c_out, c_in, 1, 1)), "b_pw": np.zeros(c_out)}


def count_params(params: dict[str, np.ndarray]) -> int:
    return sum(int(array.size) for array in params.values())


# -- receptive field ----------------------------------------------------------------------------
def receptive_field(stack: tuple[tuple[int, int, int], ...],
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per layer: size r_l = r_{l-1} + (k_l - 1) d_l j_{l-1}, jump
    j_l = j_{l-1} s_l, and start.

    ``start`` is the input coordinate of the first pixel seen by output
    0 (negative: padding). Output o of layer l sees input pixels
    start_l + o j_l ... start_l + o j_l + r_l - 1.
    """
    r, j, start = 1, 1, 0
    sizes, jumps, starts = [], [], []
    for k, s, d in stack:
        start -= same_padding(k, d) * j
        r += (k - 1) * d * j
        j *= s
        sizes.append(r)
        jumps.append(j)
        starts.append(start)
    return np.array(sizes), np.array(jumps), np.array(starts)


def same_padding(k: int, dilation: int) -> int:
    return dilation * (k - 1) // 2


def measure_receptive_field(stack: tuple[tuple[int, int, int], ...], size: int, channels: int,
                            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Back-propagate a one-hot gradient from the centre output of each layer to the input.

    Positive weights rule out cancellation, so a pixel has a non-zero gradient exactly when the
    output depends on it. Returns, per layer, the extent and first row of that support, and the
    input gradient map of the last layer.
    """
    layers = [(rng.uniform(0.1, 1.0, (channels, channels, k, k)), s, same_padding(k, d), d)
              for k, s, d in stack]
    x = rng.standard_normal((1, channels, size, size))
    inputs = [x]
    for W, s, p, d in layers:
        inputs.append(conv2d(inputs[-1], W, np.zeros(channels), s, p, d))
    extents, firsts, grad_map = [], [], np.zeros((size, size))
    for depth in range(1, len(layers) + 1):
        out = inputs[depth]
        grad = np.zeros_like(out)
        grad[0, 0, out.shape[2] // 2, out.shape[3] // 2] = 1.0
        for layer in range(depth - 1, -1, -1):
            W, s, p, d = layers[layer]
            grad = conv2d_backward(grad, inputs[layer], W, s, p, d)[0]
        grad_map = np.abs(grad[0]).sum(axis=0)
        rows = np.flatnonzero(grad_map.sum(axis=1) > 0)
        extents.append(rows[-1] - rows[0] + 1)
        firsts.append(rows[0])
    return np.array(extents), np.array(firsts), grad_map

"""2-D convolution by im2col: output sizes, receptive fields, parameter counts and gradients.

Shapes follow the frameworks: an input batch is (N, C_in, H, W), a kernel bank is
(C_out, C_in, F, F), a bias is (C_out,). "Convolution" means cross-correlation (no kernel flip),
as in every deep-learning library. Kernels are square and use one stride, padding and dilation
for both spatial axes; inputs may be rectangular.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lab.gradcheck import EPS, error_norm, numeric_gradient, rel_error

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


def im2col(x: np.ndarray, f: int, stride: int, pad: int, dilation: int) -> np.ndarray:
    """Unfold every receptive window into a column: (C*F*F, N*H_out*W_out).

    Row (c, ki, kj) holds tap (ki, kj) of channel c for every window; column (n, r, q) is the
    flattened window of output pixel (r, q) of image n. One slice per tap, no Python loop over
    windows.
    """
    n, c, h, w = x.shape
    out_h, out_w = out_size(h, f, pad, stride, dilation), out_size(w, f, pad, stride, dilation)
    xp = pad_input(x, pad)
    cols = np.empty((c, f, f, n, out_h, out_w))
    for ki in range(f):
        for kj in range(f):
            top, left = ki * dilation, kj * dilation
            window = xp[:, :, top:top + stride * (out_h - 1) + 1:stride,
                        left:left + stride * (out_w - 1) + 1:stride]
            cols[:, ki, kj] = window.transpose(1, 0, 2, 3)
    return cols.reshape(c * f * f, n * out_h * out_w)


def conv2d(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0,
           dilation: int = 1) -> np.ndarray:
    """Convolution as ONE matrix product: (C_out, C_in*F*F) @ (C_in*F*F, N*H_out*W_out)."""
    n, _, h, w = x.shape
    c_out, _, f, _ = W.shape
    out_h, out_w = out_size(h, f, pad, stride, dilation), out_size(w, f, pad, stride, dilation)
    cols = im2col(x, f, stride, pad, dilation)
    y = W.reshape(c_out, -1) @ cols + b[:, None]
    return y.reshape(c_out, n, out_h, out_w).transpose(1, 0, 2, 3)


def conv2d_naive(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0,
                 dilation: int = 1) -> np.ndarray:
    """The definition, one multiply-add at a time: an independent reference for im2col."""
    n, c_in, h, w = x.shape
    c_out, _, f, _ = W.shape
    y = np.zeros((n, c_out, out_size(h, f, pad, stride, dilation), out_size(w, f, pad, stride, dilation)))
    xp = pad_input(x, pad)
    for i, o, r, q in np.ndindex(y.shape):
        total = b[o]
        for c, ki, kj in np.ndindex(c_in, f, f):
            total += W[o, c, ki, kj] * xp[i, c, r * stride + ki * dilation, q * stride + kj * dilation]
        y[i, o, r, q] = total
    return y


# -- backward ---------------------------------------------------------------------------------
def col2im(cols: np.ndarray, x_shape: tuple[int, ...], f: int, stride: int, pad: int,
           dilation: int) -> np.ndarray:
    """The adjoint of im2col: add every column entry back onto the pixel it was copied from.

    Overlapping windows copied a pixel several times, so its gradient is the SUM of those copies.
    """
    n, c, h, w = x_shape
    out_h, out_w = out_size(h, f, pad, stride, dilation), out_size(w, f, pad, stride, dilation)
    cols = cols.reshape(c, f, f, n, out_h, out_w)
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    for ki in range(f):
        for kj in range(f):
            top, left = ki * dilation, kj * dilation
            xp[:, :, top:top + stride * (out_h - 1) + 1:stride,
               left:left + stride * (out_w - 1) + 1:stride] += cols[:, ki, kj].transpose(1, 0, 2, 3)
    return xp[:, :, pad:pad + h, pad:pad + w]


def conv2d_backward(dY: np.ndarray, x: np.ndarray, W: np.ndarray, stride: int = 1, pad: int = 0,
                    dilation: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of Y = W_mat @ cols + b: dW = dY_mat cols^T, db = row sums, dX = col2im(W_mat^T dY_mat)."""
    c_out, _, f, _ = W.shape
    dY_mat = dY.transpose(1, 0, 2, 3).reshape(c_out, -1)  # same column order as im2col
    cols = im2col(x, f, stride, pad, dilation)
    dW = (dY_mat @ cols.T).reshape(W.shape)
    db = dY_mat.sum(axis=1)
    dX = col2im(W.reshape(c_out, -1).T @ dY_mat, x.shape, f, stride, pad, dilation)
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
def receptive_field(stack: tuple[tuple[int, int, int], ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per layer: size r_l = r_{l-1} + (k_l - 1) d_l j_{l-1}, jump j_l = j_{l-1} s_l, and start.

    ``start`` is the input coordinate of the first pixel seen by output 0 (negative: padding).
    Output o of layer l sees input pixels start_l + o j_l ... start_l + o j_l + r_l - 1.
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


# -- the experiment -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ConvResult:
    # output sizes, one row per SIZE_EXAMPLES entry
    size_w: np.ndarray
    size_f: np.ndarray
    size_p: np.ndarray
    size_s: np.ndarray
    size_d: np.ndarray
    size_eff_kernel: np.ndarray
    size_dense_weights: np.ndarray
    size_ratio: np.ndarray
    size_formula: np.ndarray
    size_out: np.ndarray
    size_ceil: np.ndarray
    size_unused: np.ndarray
    # the hand calculation (one channel, 5x5 input, 3x3 kernel, stride 1, no padding)
    hand_x: np.ndarray
    hand_k: np.ndarray
    hand_y: np.ndarray
    hand_y_naive: np.ndarray
    hand_cols: np.ndarray
    hand_patch0: np.ndarray
    hand_kernel_row: np.ndarray
    hand_coverage: np.ndarray
    hand_grad_k_ones: np.ndarray
    # im2col vs loops and gradients (GRAD_SHAPES with GRAD_CONV)
    grad_out_h: int
    grad_cols_shape: np.ndarray
    max_abs_diff_naive: float
    max_abs_diff_1x1: float
    loss: float
    grad_b: np.ndarray
    numeric_grad_b: np.ndarray
    rel_error_W: float
    rel_error_b: float
    rel_error_X: float
    error_norm_W: float
    error_norm_b: float
    error_norm_X: float
    eps: float
    # receptive field of RF_STACK
    rf_kernel: np.ndarray
    rf_stride: np.ndarray
    rf_dilation: np.ndarray
    rf_padding: np.ndarray
    rf_out_size: np.ndarray
    rf_size: np.ndarray
    rf_jump: np.ndarray
    rf_start: np.ndarray
    rf_measured: np.ndarray
    rf_measured_first: np.ndarray
    rf_predicted_first: np.ndarray
    rf_grad_map: np.ndarray
    # parameter and multiply-accumulate counts of PARAM_LAYER
    params_weights: int
    params_bias: int
    params_standard: int
    params_standard_counted: int
    params_depthwise: int
    params_pointwise: int
    params_separable: int
    params_separable_counted: int
    params_ratio: float
    macs_per_output: int
    macs_standard: int
    macs_depthwise: int
    macs_pointwise: int
    macs_separable: int
    macs_ratio: float


def size_examples() -> dict[str, np.ndarray]:
    """Formula and actual conv output side for each SIZE_EXAMPLES row (one channel, zeros)."""
    rows = {name: [] for name in ("eff", "dense", "ratio", "formula", "out", "ceil", "unused")}
    for w, f, p, s, d in SIZE_EXAMPLES:
        eff = effective_kernel(f, d)
        y = conv2d(np.zeros((1, 1, w, w)), np.zeros((1, 1, f, f)), np.zeros(1), s, p, d)
        rows["eff"].append(eff)
        rows["dense"].append(eff * eff)  # weights of an undilated kernel with the same span
        rows["ratio"].append((w - eff + 2 * p) / s)
        rows["formula"].append(out_size(w, f, p, s, d))
        rows["out"].append(y.shape[2])
        rows["ceil"].append(out_size(w, f, p, s, d, ceil_mode=True))
        rows["unused"].append((w + 2 * p - eff) % s)  # padded rows no window reaches
    return {name: np.array(values) for name, values in rows.items()}


def hand_example() -> dict[str, np.ndarray]:
    """The 5x5 example worked by hand: output, im2col matrix, and two gradients with dY = 1
    (the kernel's is a sum of inputs, col2im's counts how often each pixel was copied)."""
    x, k = X_HAND[None, None], K_HAND[None, None]
    cols = im2col(x, 3, 1, 0, 1)
    y = conv2d(x, k, np.zeros(1))
    ones = np.ones_like(y)
    _, grad_k, _ = conv2d_backward(ones, x, k)
    return {"x": X_HAND, "k": K_HAND, "y": y[0, 0], "y_naive": conv2d_naive(x, k, np.zeros(1))[0, 0],
            "cols": cols, "patch0": cols[:, 0], "kernel_row": K_HAND.ravel(),
            "coverage": col2im(np.ones_like(cols), x.shape, 3, 1, 0, 1)[0, 0], "grad_k_ones": grad_k[0, 0]}


def gradient_check(rng: np.random.Generator) -> dict[str, float | np.ndarray]:
    """L = 1/2 sum (Y - T)^2, so dL/dY = Y - T; analytic dW, db, dX against centered differences."""
    g, opts = GRAD_SHAPES, GRAD_CONV
    x = rng.standard_normal((g["n"], g["c_in"], g["h"], g["w"]))
    W = rng.standard_normal((g["c_out"], g["c_in"], g["f"], g["f"]))
    b = rng.standard_normal(g["c_out"])
    y = conv2d(x, W, b, **opts)
    target = rng.standard_normal(y.shape)

    def loss() -> float:
        return 0.5 * float(np.sum((conv2d(x, W, b, **opts) - target) ** 2))

    dX, dW, db = conv2d_backward(y - target, x, W, **opts)
    numeric: dict[str, np.ndarray] = {name: numeric_gradient(loss, param) for name, param in
                                      (("W", W), ("b", b), ("X", x))}
    return {"out_h": y.shape[2], "cols_shape": np.array(im2col(x, g["f"], **opts).shape),
            "naive": float(np.max(np.abs(y - conv2d_naive(x, W, b, **opts)))),
            "1x1": one_by_one_gap(rng),
            "loss": loss(), "grad_b": db, "numeric_grad_b": numeric["b"],
            **{f"rel_{k}": rel_error(a, numeric[k]) for k, a in (("W", dW), ("b", db), ("X", dX))},
            **{f"norm_{k}": error_norm(a, numeric[k]) for k, a in (("W", dW), ("b", db), ("X", dX))}}


def one_by_one_gap(rng: np.random.Generator) -> float:
    """Largest gap between a 1x1 convolution and the same C_out x C_in matrix applied per pixel."""
    x, W = rng.standard_normal((2, 8, 5, 5)), rng.standard_normal((4, 8, 1, 1))
    per_pixel = np.einsum("oc,nchw->nohw", W[:, :, 0, 0], x)
    return float(np.max(np.abs(conv2d(x, W, np.zeros(4)) - per_pixel)))


def counts(rng: np.random.Generator) -> dict[str, float | int]:
    """Parameters by formula and by counting real arrays; multiply-accumulates per forward pass."""
    c_in, c_out, f, pixels = (PARAM_LAYER[k] for k in ("c_in", "c_out", "f", "out_h"))
    pixels *= PARAM_LAYER["out_w"]
    separable = separable_params(c_in, c_out, f, rng)
    standard = conv_params(c_in, c_out, f, rng)
    macs = {"standard": c_out * c_in * f * f * pixels, "depthwise": c_in * f * f * pixels,
            "pointwise": c_out * c_in * pixels}
    return {"weights": c_out * c_in * f * f, "standard": c_out * c_in * f * f + c_out,
            "bias": int(standard["b"].size), "standard_counted": count_params(standard),
            "depthwise": c_in * f * f + c_in, "pointwise": c_out * c_in + c_out,
            "separable_counted": count_params(separable),
            "macs_per_output": c_in * f * f, **{f"macs_{k}": v for k, v in macs.items()}}


def receptive_field_fields(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The recurrence and the measurement side by side, plus each layer's output side."""
    sizes, jumps, starts = receptive_field(RF_STACK)
    measured, first, grad_map = measure_receptive_field(RF_STACK, RF_INPUT, RF_CHANNELS, rng)
    out_sizes = []
    side = RF_INPUT
    for k, s, d in RF_STACK:
        side = out_size(side, k, same_padding(k, d), s, d)
        out_sizes.append(side)
    centre = np.array(out_sizes) // 2
    return {"kernel": np.array([k for k, _, _ in RF_STACK]), "stride": np.array([s for _, s, _ in RF_STACK]),
            "dilation": np.array([d for _, _, d in RF_STACK]),
            "padding": np.array([same_padding(k, d) for k, _, d in RF_STACK]),
            "out_size": np.array(out_sizes), "size": sizes, "jump": jumps, "start": starts,
            "measured": measured, "measured_first": first, "predicted_first": starts + centre * jumps,
            "grad_map": grad_map}


def run(seed: int = 0) -> ConvResult:
    rng = np.random.default_rng(seed)
    examples = np.array(SIZE_EXAMPLES)
    sizes, hand, grads = size_examples(), hand_example(), gradient_check(rng)
    rf, n = receptive_field_fields(rng), counts(rng)
    separable = n["depthwise"] + n["pointwise"]
    macs_separable = n["macs_depthwise"] + n["macs_pointwise"]
    return ConvResult(
        size_w=examples[:, 0], size_f=examples[:, 1], size_p=examples[:, 2], size_s=examples[:, 3],
        size_d=examples[:, 4], size_eff_kernel=sizes["eff"], size_dense_weights=sizes["dense"],
        size_ratio=sizes["ratio"],
        size_formula=sizes["formula"], size_out=sizes["out"], size_ceil=sizes["ceil"],
        size_unused=sizes["unused"],
        **{f"hand_{k}": v for k, v in hand.items()},
        grad_out_h=grads["out_h"], grad_cols_shape=grads["cols_shape"],
        max_abs_diff_naive=grads["naive"], max_abs_diff_1x1=grads["1x1"], loss=grads["loss"],
        grad_b=grads["grad_b"], numeric_grad_b=grads["numeric_grad_b"],
        rel_error_W=grads["rel_W"], rel_error_b=grads["rel_b"], rel_error_X=grads["rel_X"],
        error_norm_W=grads["norm_W"], error_norm_b=grads["norm_b"], error_norm_X=grads["norm_X"],
        eps=EPS,
        **{f"rf_{k}": v for k, v in rf.items()},
        params_weights=n["weights"], params_bias=n["bias"], params_standard=n["standard"],
        params_standard_counted=n["standard_counted"], params_depthwise=n["depthwise"],
        params_pointwise=n["pointwise"], params_separable=separable,
        params_separable_counted=n["separable_counted"], params_ratio=separable / n["standard"],
        macs_per_output=n["macs_per_output"], macs_standard=n["macs_standard"],
        macs_depthwise=n["macs_depthwise"], macs_pointwise=n["macs_pointwise"],
        macs_separable=macs_separable, macs_ratio=macs_separable / n["macs_standard"],
    )

"""The convolution experiment: every number and array the convolution article shows, in one result.

The functions it runs are in ``lab.conv``; this module only sets up the runs and collects their
outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.conv import (
    GRAD_CONV,
    GRAD_SHAPES,
    K_HAND,
    PARAM_LAYER,
    RF_CHANNELS,
    RF_INPUT,
    RF_STACK,
    SIZE_EXAMPLES,
    X_HAND,
    col2im,
    conv2d,
    conv2d_backward,
    conv2d_naive,
    conv_params,
    count_params,
    effective_kernel,
    im2col,
    measure_receptive_field,
    out_size,
    receptive_field,
    same_padding,
    separable_params,
)
from lab.gradcheck import EPS, error_norm, numeric_gradient, rel_error


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
    rf_input: int  # side of the square input the receptive field is measured on
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
    # parameter and multiply-accumulate counts of PARAM_LAYER, and the layer itself
    param_c_in: int
    param_c_out: int
    param_out_h: int
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
        rf_input=RF_INPUT, param_c_in=PARAM_LAYER["c_in"], param_c_out=PARAM_LAYER["c_out"],
        param_out_h=PARAM_LAYER["out_h"],
        params_weights=n["weights"], params_bias=n["bias"], params_standard=n["standard"],
        params_standard_counted=n["standard_counted"], params_depthwise=n["depthwise"],
        params_pointwise=n["pointwise"], params_separable=separable,
        params_separable_counted=n["separable_counted"], params_ratio=separable / n["standard"],
        macs_per_output=n["macs_per_output"], macs_standard=n["macs_standard"],
        macs_depthwise=n["macs_depthwise"], macs_pointwise=n["macs_pointwise"],
        macs_separable=macs_separable, macs_ratio=macs_separable / n["macs_standard"],
    )

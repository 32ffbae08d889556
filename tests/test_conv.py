"""The convolution experiment: sizes, im2col, gradients, receptive fields and parameter counts,
each checked against a reference that does not share the lab's code path."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from lab import conv
from lab import conv_study as study
from lab.gradcheck import numeric_gradient, rel_error

SIZE_CASES = [case for case in itertools.product((5, 8, 13), (1, 2, 3, 5), (0, 1, 2), (1, 2, 3), (1, 2, 3))
              if case[0] + 2 * case[2] >= case[4] * (case[1] - 1) + 1]


def window_count(w: int, f: int, pad: int, stride: int, dilation: int) -> int:
    """Count the start positions whose whole dilated window fits in the padded input."""
    span = dilation * (f - 1)
    return sum(1 for start in range(0, w + 2 * pad, stride) if start + span <= w + 2 * pad - 1)


def reference_conv(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int, pad: int,
                   dilation: int) -> np.ndarray:
    """numpy's sliding_window_view: every dilated window, subsampled by the stride."""
    f = W.shape[-1]
    span = dilation * (f - 1) + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(xp, (span, span), axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride, ::dilation, ::dilation]
    return np.einsum("nchwij,ocij->nohw", windows, W) + b[None, :, None, None]


def random_conv(seed: int, n: int, c_in: int, c_out: int, h: int, w: int, f: int):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, c_in, h, w)), rng.standard_normal((c_out, c_in, f, f)),
            rng.standard_normal(c_out), rng)


# -- output size ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("w", "f", "pad", "stride", "dilation"), SIZE_CASES)
def test_output_size_formula_matches_the_conv_and_a_window_count(w: int, f: int, pad: int, stride: int,
                                                                  dilation: int) -> None:
    expected = window_count(w, f, pad, stride, dilation)
    assert conv.out_size(w, f, pad, stride, dilation) == expected
    y = conv.conv2d(np.zeros((1, 1, w, w + 1)), np.zeros((1, 1, f, f)), np.zeros(1), stride, pad, dilation)
    assert y.shape[2] == expected
    assert y.shape[3] == window_count(w + 1, f, pad, stride, dilation)


@pytest.mark.parametrize(("w", "f", "pad", "stride", "dilation"), SIZE_CASES)
def test_ceil_mode_adds_a_window_exactly_when_the_division_is_not_exact(w: int, f: int, pad: int, stride: int,
                                                                         dilation: int) -> None:
    remainder = (w + 2 * pad - dilation * (f - 1) - 1) % stride
    assert conv.out_size(w, f, pad, stride, dilation, ceil_mode=True) == \
        window_count(w, f, pad, stride, dilation) + (remainder != 0)


def test_kernel_larger_than_the_padded_input_is_refused() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        conv.out_size(4, 3, 0, 1, 2)


def test_worked_size_examples_match_textbook_values() -> None:
    r = study.run()
    # AlexNet conv1 gives 55; a "same" 3x3 keeps 32; the 7x7/2 stem on 224 gives 112;
    # Caffe's ceil pooling on 112 gives 56 where a floor gives 55.
    np.testing.assert_array_equal(r.size_out, [32, 55, 32, 56, 112, 55])
    np.testing.assert_array_equal(r.size_ceil, [32, 55, 32, 56, 113, 56])
    np.testing.assert_array_equal(r.size_eff_kernel, [3, 11, 5, 9, 7, 3])
    np.testing.assert_allclose(r.size_ratio, [31, 54, 31, 55, 111.5, 54.5])
    np.testing.assert_array_equal(r.size_formula, r.size_out)


def test_dense_weights_are_those_of_the_undilated_kernel_that_computes_the_same_conv() -> None:
    # Scatter the F x F taps into a zero kernel at their dilated offsets: that dense kernel, used
    # without dilation, gives the same output, and its entry count is the dense weight count.
    r = study.run()
    rng = np.random.default_rng(8)
    for w, f, p, s, d, dense in zip(r.size_w, r.size_f, r.size_p, r.size_s, r.size_d, r.size_dense_weights,
                                    strict=True):
        taps = np.arange(f) * d
        full = np.zeros((1, 1, taps[-1] + 1, taps[-1] + 1))
        kernel = rng.standard_normal((1, 1, f, f))
        full[0, 0, taps[:, None], taps[None, :]] = kernel[0, 0]
        x = rng.standard_normal((1, 1, min(w, 20), min(w, 20)))
        np.testing.assert_allclose(conv.conv2d(x, full, np.zeros(1), s, p),
                                   conv.conv2d(x, kernel, np.zeros(1), s, p, d), rtol=1e-12, atol=1e-12)
        assert full.size == dense
    assert r.size_dense_weights[3] == 81


# -- im2col forward ------------------------------------------------------------------------------
CONV_ARGS = ("seed", "n", "c_in", "c_out", "h", "w", "f", "stride", "pad", "dilation")
CONV_CASES = [
    (0, 1, 1, 1, 5, 5, 3, 1, 0, 1),
    (1, 2, 3, 4, 7, 6, 3, 2, 1, 1),
    (2, 1, 2, 3, 9, 11, 3, 1, 2, 2),
    (3, 3, 2, 2, 8, 8, 2, 2, 0, 1),
    (4, 2, 4, 5, 10, 7, 3, 3, 1, 2),
    (5, 1, 3, 2, 6, 9, 1, 2, 0, 1),
    (6, 2, 1, 3, 12, 12, 5, 1, 2, 1),
    (7, 1, 2, 2, 13, 10, 3, 2, 3, 3),
]


@pytest.mark.parametrize(CONV_ARGS, CONV_CASES)
def test_im2col_conv_matches_the_loop_and_sliding_windows(seed: int, n: int, c_in: int, c_out: int, h: int,
                                                          w: int, f: int, stride: int, pad: int,
                                                          dilation: int) -> None:
    x, W, b, _ = random_conv(seed, n, c_in, c_out, h, w, f)
    y = conv.conv2d(x, W, b, stride, pad, dilation)
    assert y.shape == (n, c_out, conv.out_size(h, f, pad, stride, dilation),
                       conv.out_size(w, f, pad, stride, dilation))
    np.testing.assert_allclose(y, conv.conv2d_naive(x, W, b, stride, pad, dilation), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y, reference_conv(x, W, b, stride, pad, dilation), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(CONV_ARGS, CONV_CASES)
def test_col2im_is_the_adjoint_of_im2col(seed: int, n: int, c_in: int, c_out: int, h: int, w: int, f: int,
                                         stride: int, pad: int, dilation: int) -> None:
    # <im2col(x), C> = <x, col2im(C)> for every x and C: col2im is the transpose of the copy.
    x, _, _, rng = random_conv(seed, n, c_in, c_out, h, w, f)
    cols = conv.im2col(x, f, stride, pad, dilation)
    other = rng.standard_normal(cols.shape)
    back = conv.col2im(other, x.shape, f, stride, pad, dilation)
    assert back.shape == x.shape
    assert np.sum(cols * other) == pytest.approx(np.sum(x * back), rel=1e-12)


def test_hand_example_matches_direct_sums() -> None:
    r = study.run()
    direct = np.array([[np.sum(conv.X_HAND[i:i + 3, j:j + 3] * conv.K_HAND) for j in range(3)]
                       for i in range(3)])
    np.testing.assert_array_equal(r.hand_y, direct)
    np.testing.assert_array_equal(r.hand_y_naive, direct)
    assert r.hand_y[0, 0] == -4
    np.testing.assert_array_equal(r.hand_patch0, conv.X_HAND[:3, :3].ravel())
    # How many 3x3 windows (stride 1, no padding) cover each pixel of a 5x5 input: 1-2-3-2-1 per axis.
    per_axis = np.array([1, 2, 3, 2, 1])
    np.testing.assert_array_equal(r.hand_coverage, np.outer(per_axis, per_axis))
    ones_grad = np.array([[conv.X_HAND[i:i + 3, j:j + 3].sum() for j in range(3)] for i in range(3)])
    np.testing.assert_array_equal(r.hand_grad_k_ones, ones_grad)


def test_one_by_one_convolution_is_a_matrix_over_channels() -> None:
    x, W, b, _ = random_conv(11, 2, 6, 3, 4, 5, 1)
    mixed = np.einsum("oc,nchw->nohw", W[:, :, 0, 0], x) + b[None, :, None, None]
    np.testing.assert_allclose(conv.conv2d(x, W, b), mixed, rtol=1e-12, atol=1e-12)
    assert study.run().max_abs_diff_1x1 < 1e-12


@pytest.mark.parametrize(("seed", "stride", "pad", "dilation"), [(0, 1, 1, 1), (1, 2, 0, 1), (2, 1, 2, 2)])
def test_depthwise_conv_is_one_single_channel_conv_per_channel(seed: int, stride: int, pad: int,
                                                                dilation: int) -> None:
    rng = np.random.default_rng(seed)
    x, W, b = rng.standard_normal((2, 4, 9, 8)), rng.standard_normal((4, 1, 3, 3)), rng.standard_normal(4)
    y = conv.depthwise_conv2d(x, W, b, stride, pad, dilation)
    for c in range(4):
        alone = conv.conv2d_naive(x[:, c:c + 1], W[c:c + 1], b[c:c + 1], stride, pad, dilation)
        np.testing.assert_allclose(y[:, c:c + 1], alone, rtol=1e-12, atol=1e-12)


# -- gradients -------------------------------------------------------------------------------------
@pytest.mark.parametrize(CONV_ARGS, CONV_CASES)
def test_conv_gradients_match_finite_differences(seed: int, n: int, c_in: int, c_out: int, h: int, w: int,
                                                 f: int, stride: int, pad: int, dilation: int) -> None:
    x, W, b, rng = random_conv(seed, n, c_in, c_out, h, w, f)
    target = rng.standard_normal(conv.conv2d(x, W, b, stride, pad, dilation).shape)

    def loss() -> float:
        return 0.5 * float(np.sum((conv.conv2d(x, W, b, stride, pad, dilation) - target) ** 2))

    dY = conv.conv2d(x, W, b, stride, pad, dilation) - target
    dX, dW, db = conv.conv2d_backward(dY, x, W, stride, pad, dilation)
    assert (dX.shape, dW.shape, db.shape) == (x.shape, W.shape, b.shape)
    assert rel_error(dW, numeric_gradient(loss, W)) < 1e-7
    assert rel_error(db, numeric_gradient(loss, b)) < 1e-7
    assert rel_error(dX, numeric_gradient(loss, x)) < 1e-6  # padding-only pixels have dX = 0 exactly


def test_weight_gradient_matches_a_loop_over_windows() -> None:
    # dL/dW[o,c,i,j] = sum over images and output pixels of dY[n,o,r,q] * Xpad[n,c,r s + i d, q s + j d].
    x, W, b, rng = random_conv(21, 2, 2, 3, 7, 8, 3)
    stride, pad, dilation = 2, 1, 2
    dY = rng.standard_normal(conv.conv2d(x, W, b, stride, pad, dilation).shape)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    loop = np.zeros_like(W)
    for n, o, r, q in np.ndindex(dY.shape):
        for c, i, j in np.ndindex(W.shape[1:]):
            pixel = xp[n, c, r * stride + i * dilation, q * stride + j * dilation]
            loop[o, c, i, j] += dY[n, o, r, q] * pixel
    np.testing.assert_allclose(conv.conv2d_backward(dY, x, W, stride, pad, dilation)[1], loop, rtol=1e-12)


def test_published_gradient_check_is_tight() -> None:
    r = study.run()
    assert max(r.rel_error_W, r.rel_error_b, r.rel_error_X) < 1e-7
    assert r.max_abs_diff_naive < 1e-12
    np.testing.assert_allclose(r.grad_b, r.numeric_grad_b, rtol=1e-7)
    assert r.grad_out_h == conv.out_size(7, 3, 1, 2, 2) == 3
    np.testing.assert_array_equal(r.grad_cols_shape, [3 * 3 * 3, 2 * 3 * 3])


# -- receptive field -------------------------------------------------------------------------------
STACKS = [
    conv.RF_STACK,
    ((3, 1, 1),) * 4,
    ((3, 1, 1), (3, 1, 2), (3, 1, 4)),
    ((5, 2, 1), (3, 2, 1), (3, 1, 1)),
    ((2, 2, 1), (3, 1, 1), (3, 2, 2), (1, 1, 1)),
]


@pytest.mark.parametrize("stack", STACKS)
def test_receptive_field_recurrence_matches_backpropagated_support(stack: tuple) -> None:
    sizes, jumps, starts = conv.receptive_field(stack)
    extents, firsts, grad_map = conv.measure_receptive_field(stack, 48, 2, np.random.default_rng(3))
    np.testing.assert_array_equal(extents, sizes)
    side = 48
    for layer, (k, s, d) in enumerate(stack):
        side = conv.out_size(side, k, conv.same_padding(k, d), s, d)
        assert firsts[layer] == starts[layer] + (side // 2) * jumps[layer]
    assert np.count_nonzero(grad_map.sum(axis=0)) == sizes[-1]


def test_receptive_field_matches_input_perturbation() -> None:
    # Forward only: nudge one input pixel at a time and see which nudges reach the centre output.
    stack, size = conv.RF_STACK, 40
    rng = np.random.default_rng(5)
    layers = [(rng.standard_normal((1, 1, k, k)), s, conv.same_padding(k, d), d) for k, s, d in stack]

    def centre(x: np.ndarray) -> float:
        for W, s, p, d in layers:
            x = conv.conv2d(x, W, np.zeros(1), s, p, d)
        return float(x[0, 0, x.shape[2] // 2, x.shape[3] // 2])

    base = rng.standard_normal((1, 1, size, size))
    column = size // 2
    reached = []
    for row in range(size):
        nudged = base.copy()
        nudged[0, 0, row, column] += 1.0
        if abs(centre(nudged) - centre(base)) > 1e-12:
            reached.append(row)
    r = study.run()
    assert reached[-1] - reached[0] + 1 == r.rf_size[-1] == 19
    assert reached[0] == r.rf_predicted_first[-1]


@pytest.mark.parametrize("layers", [1, 2, 5])
def test_receptive_field_closed_forms(layers: int) -> None:
    # L stride-1 3x3 layers see 2L + 1 pixels; dilations 1, 2, 4, ... see 2^(L+1) - 1.
    assert conv.receptive_field(((3, 1, 1),) * layers)[0][-1] == 2 * layers + 1
    doubling = tuple((3, 1, 2 ** i) for i in range(layers))
    assert conv.receptive_field(doubling)[0][-1] == 2 ** (layers + 1) - 1


def test_published_receptive_field_table() -> None:
    r = study.run()
    np.testing.assert_array_equal(r.rf_size, r.rf_measured)
    np.testing.assert_array_equal(r.rf_size, [3, 5, 7, 15, 19, 19])
    np.testing.assert_array_equal(r.rf_jump, [1, 1, 2, 2, 2, 2])
    np.testing.assert_array_equal(r.rf_measured_first, r.rf_predicted_first)


# -- parameters and multiply-accumulates ---------------------------------------------------------------
@pytest.mark.parametrize(("c_in", "c_out", "f"),
                         [(1, 1, 1), (3, 16, 3), (128, 256, 3), (32, 8, 5), (64, 64, 1)])
def test_parameter_formulas_match_counted_arrays(c_in: int, c_out: int, f: int) -> None:
    rng = np.random.default_rng(0)
    standard = conv.conv_params(c_in, c_out, f, rng)
    separable = conv.separable_params(c_in, c_out, f, rng)
    assert conv.count_params(standard) == c_out * c_in * f * f + c_out
    assert conv.count_params(separable) == (c_in * f * f + c_in) + (c_out * c_in + c_out)
    assert standard["W"].reshape(c_out, -1).shape == (c_out, c_in * f * f)  # the im2col weight matrix


@pytest.mark.parametrize(("c_in", "c_out", "f", "h", "stride", "pad"),
                         [(3, 4, 3, 8, 1, 1), (2, 5, 3, 9, 2, 0)])
def test_macs_equal_the_size_of_the_im2col_product(c_in: int, c_out: int, f: int, h: int, stride: int,
                                                   pad: int) -> None:
    # An (a x k) @ (k x m) product does a k m multiply-adds; count them on real matrices.
    x = np.zeros((1, c_in, h, h))
    cols = conv.im2col(x, f, stride, pad, 1)
    w_mat = np.zeros((c_out, c_in * f * f))
    out = conv.out_size(h, f, pad, stride)
    assert w_mat.shape[0] * w_mat.shape[1] * cols.shape[1] == c_out * c_in * f * f * out * out


def test_published_counts() -> None:
    r = study.run()
    assert r.params_standard == r.params_standard_counted == 256 * 128 * 9 + 256
    assert r.params_bias == r.params_standard_counted - r.params_weights == 256
    assert r.params_separable == r.params_separable_counted == 128 * 9 + 128 + 256 * 128 + 256
    assert r.macs_standard == 256 * 128 * 9 * 56 * 56
    assert r.macs_ratio == pytest.approx(1 / 256 + 1 / 9, rel=1e-12)


# -- the experiment as a whole --------------------------------------------------------------------------
def test_run_is_deterministic_and_fast() -> None:
    start = time.perf_counter()
    first = study.run()
    elapsed = time.perf_counter() - start
    second = study.run()
    assert elapsed < 1.0
    np.testing.assert_array_equal(first.rf_grad_map, second.rf_grad_map)
    assert first.rel_error_X == second.rel_error_X
    np.testing.assert_array_equal(conv.X_HAND[0], [1, 2, 0, 1, 3])

"""The attention experiment: softmax, the causal mask, gradients, heads and the KV cache, each
checked against an independent reference (loops, finite differences, closed forms)."""

from __future__ import annotations

import inspect
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from lab import attention as att
from lab import attention_study as study
from lab.gradcheck import numeric_gradient, rel_error
from lab.registry import run_all
from lab.tables import TABLES

GRAD_TOL = 1e-7


def naive_attention(Q: np.ndarray, K: np.ndarray, V: np.ndarray, causal: bool) -> np.ndarray:
    """One query at a time with math.exp and plain sums: no matrix products, no vectorised softmax."""
    n_q, d_k = Q.shape
    out = np.zeros((n_q, V.shape[1]))
    for i in range(n_q):
        keys = range(i + 1) if causal else range(K.shape[0])
        scores = [sum(Q[i, c] * K[j, c] for c in range(d_k)) / math.sqrt(d_k) for j in keys]
        top = max(scores)
        e = [math.exp(s - top) for s in scores]
        for j, e_j in zip(keys, e, strict=True):
            out[i] += e_j / sum(e) * V[j]
    return out


def random_qkv(seed: int, n_q: int, n_k: int, d_k: int, d_v: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n_q, d_k)), rng.standard_normal((n_k, d_k)),
            rng.standard_normal((n_k, d_v)), rng.standard_normal((n_q, d_v)))


# -- softmax and the mask -----------------------------------------------------------------------
@pytest.mark.parametrize(("seed", "shape"), [(0, (3, 3)), (1, (5, 7)), (2, (2, 4, 6)), (3, (1, 1))])
def test_softmax_rows_sum_to_one_and_ignore_a_constant_shift(seed: int, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(seed)
    S = 4.0 * rng.standard_normal(shape)
    P = att.softmax(S)
    assert np.all(P > 0)
    np.testing.assert_allclose(P.sum(axis=-1), 1.0, atol=1e-14)
    row_shift = rng.standard_normal((*shape[:-1], 1)) * 50.0  # a different constant per row
    np.testing.assert_allclose(att.softmax(S + row_shift), P, atol=1e-14)
    np.testing.assert_allclose(att.softmax(S + 700.0), P, atol=1e-14)  # exp(700+) would overflow


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_causal_mask_zeroes_the_upper_triangle(n: int) -> None:
    Q, K, V, _ = random_qkv(n, n, n, 4, 2)
    _, P = att.attention(Q, K, V, att.causal_mask(n))
    upper = np.triu_indices(n, k=1)
    assert np.all(P[upper] == 0.0)  # exactly zero, not just small
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-14)
    assert P[0, 0] == 1.0
    assert att.causal_mask(n).sum() == n * (n + 1) // 2


@pytest.mark.parametrize(("seed", "n_q", "n_k", "d_k", "d_v"), [(0, 3, 3, 4, 4), (1, 2, 5, 3, 2),
                                                                (2, 6, 6, 8, 3), (3, 1, 4, 2, 5)])
def test_attention_matches_a_per_query_loop(seed: int, n_q: int, n_k: int, d_k: int, d_v: int) -> None:
    Q, K, V, _ = random_qkv(seed, n_q, n_k, d_k, d_v)
    out, P = att.attention(Q, K, V)
    np.testing.assert_allclose(out, naive_attention(Q, K, V, causal=False), atol=1e-12)
    assert P.shape == (n_q, n_k)
    if n_q == n_k:
        out_causal, _ = att.attention(Q, K, V, att.causal_mask(n_q))
        np.testing.assert_allclose(out_causal, naive_attention(Q, K, V, causal=True), atol=1e-12)


# -- gradients ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("seed", "n"), [(0, 2), (1, 3), (2, 5), (3, 8)])
def test_softmax_jacobian_matches_finite_differences(seed: int, n: int) -> None:
    s = np.random.default_rng(seed).standard_normal(n)
    J = att.softmax_jacobian(att.softmax(s))
    numeric = np.stack([numeric_gradient(lambda i=i: float(att.softmax(s)[i]), s) for i in range(n)])
    assert rel_error(J, numeric) < GRAD_TOL
    np.testing.assert_allclose(J, J.T, atol=0)
    np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-15)
    g = np.random.default_rng(seed + 10).standard_normal(n)  # the row-wise backward is J @ g
    np.testing.assert_allclose(att.softmax_backward(att.softmax(s), g), J @ g, atol=1e-15)


@pytest.mark.parametrize(("seed", "n_q", "n_k", "d_k", "d_v", "causal"), [
    (0, 3, 3, 4, 4, False), (0, 3, 3, 4, 4, True), (1, 4, 4, 2, 3, False), (1, 4, 4, 2, 3, True),
    (2, 5, 5, 6, 2, False), (2, 5, 5, 6, 2, True), (3, 2, 6, 3, 5, False), (4, 7, 7, 16, 8, True),
])
def test_attention_gradients_match_finite_differences(seed: int, n_q: int, n_k: int, d_k: int,
                                                      d_v: int, causal: bool) -> None:
    Q, K, V, G = random_qkv(seed, n_q, n_k, d_k, d_v)
    mask = att.causal_mask(n_q) if causal else None

    def loss() -> float:
        return float(np.sum(G * att.attention(Q, K, V, mask)[0]))

    _, P = att.attention(Q, K, V, mask)
    dQ, dK, dV = att.attention_backward(Q, K, V, P, G)
    assert (dQ.shape, dK.shape, dV.shape) == (Q.shape, K.shape, V.shape)
    for analytic, param in ((dQ, Q), (dK, K), (dV, V)):
        # Entry-wise: the centered difference is good to about 1e-10 absolute, so a gradient entry
        # of 3e-5 can only be matched to ~1e-6 relative; atol covers those small entries.
        np.testing.assert_allclose(analytic, numeric_gradient(loss, param), rtol=1e-6, atol=1e-9)
    if causal:
        assert np.all(dQ[0] == 0.0)  # the first query sees one key: its weight is 1 whatever q_1 is


def test_batched_backward_equals_the_backward_of_each_slice() -> None:
    rng = np.random.default_rng(7)
    Q, K, V, G = (rng.standard_normal((2, 3, 4, 5)) for _ in range(4))
    mask = att.causal_mask(4)
    _, P = att.attention(Q, K, V, mask)
    batched = att.attention_backward(Q, K, V, P, G)
    for b in range(2):
        for h in range(3):
            _, P_bh = att.attention(Q[b, h], K[b, h], V[b, h], mask)
            single = att.attention_backward(Q[b, h], K[b, h], V[b, h], P_bh, G[b, h])
            for whole, part in zip(batched, single, strict=True):
                np.testing.assert_allclose(whole[b, h], part, atol=1e-14)


# -- heads, parameters, cache -------------------------------------------------------------------
def heads_by_loops(X: np.ndarray, p: att.MHAParams, heads: int, causal: bool) -> np.ndarray:
    """Every (sample, head) pair run on its own with the naive attention, then concatenated."""
    d_head = p.W_Q.shape[1] // heads
    group = heads // (p.W_K.shape[1] // d_head)
    out = np.zeros_like(X)
    for b in range(X.shape[0]):
        parts = []
        for h in range(heads):
            q_cols = slice(h * d_head, (h + 1) * d_head)
            kv_cols = slice((h // group) * d_head, (h // group + 1) * d_head)
            q = X[b] @ p.W_Q[:, q_cols] + p.b_Q[q_cols]
            k = X[b] @ p.W_K[:, kv_cols] + p.b_K[kv_cols]
            v = X[b] @ p.W_V[:, kv_cols] + p.b_V[kv_cols]
            parts.append(naive_attention(q, k, v, causal))
        out[b] = np.concatenate(parts, axis=1) @ p.W_O + p.b_O
    return out


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize(("seed", "batch", "seq", "d_model", "heads", "kv_heads"),
                         [(0, 2, 4, 8, 2, 2), (1, 1, 5, 12, 3, 3), (2, 3, 3, 8, 4, 2), (3, 2, 6, 8, 4, 1)])
def test_multi_head_equals_heads_run_separately(seed: int, batch: int, seq: int, d_model: int,
                                                heads: int, kv_heads: int, causal: bool) -> None:
    rng = np.random.default_rng(seed)
    p = att.init_mha(rng, d_model, heads, kv_heads)
    X = rng.standard_normal((batch, seq, d_model))
    out, P = att.multi_head_attention(X, p, heads, causal)
    assert out.shape == (batch, seq, d_model)
    assert P.shape == (batch, heads, seq, seq)
    np.testing.assert_allclose(out, heads_by_loops(X, p, heads, causal), atol=1e-12)
    if kv_heads == heads and not causal:
        np.testing.assert_allclose(out, study.heads_one_by_one(X, p, heads), atol=1e-12)


def test_split_and_merge_heads_are_inverse_and_put_heads_on_axis_one() -> None:
    Y = np.arange(2 * 3 * 8).reshape(2, 3, 8).astype(float)
    split = att.split_heads(Y, 4)
    assert split.shape == (2, 4, 3, 2)
    np.testing.assert_array_equal(split[1, 2, 0], Y[1, 0, 4:6])  # head 2 = columns 4..5
    np.testing.assert_array_equal(att.merge_heads(split), Y)


@pytest.mark.parametrize(("d_model", "heads", "kv_heads", "bias"),
                         [(8, 2, None, True), (512, 8, None, True), (64, 8, 2, True), (96, 4, 1, False)])
def test_parameter_count_matches_the_arrays(d_model: int, heads: int, kv_heads: int | None,
                                            bias: bool) -> None:
    p = att.init_mha(np.random.default_rng(0), d_model, heads, kv_heads)
    arrays = p.arrays() if bias else p.arrays()[:4]
    assert att.mha_param_count(d_model, heads, kv_heads, bias) == sum(a.size for a in arrays)
    if kv_heads is None:
        assert att.mha_param_count(d_model, heads, bias=bias) == 4 * d_model**2 + 4 * d_model * bias


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(("layers", "batch", "seq", "d_model", "heads", "kv_heads"),
                         [(2, 2, 4, 8, 2, 2), (3, 1, 5, 12, 3, 1), (1, 3, 2, 16, 4, 2)])
def test_kv_cache_bytes_equal_the_cache_arrays(dtype: type, layers: int, batch: int, seq: int,
                                               d_model: int, heads: int, kv_heads: int) -> None:
    rng = np.random.default_rng(layers + seq)
    stack = [att.init_mha(rng, d_model, heads, kv_heads) for _ in range(layers)]
    X = rng.standard_normal((batch, seq, d_model))
    cache = att.empty_cache(layers, batch, kv_heads, d_model // heads, dtype)
    decoded = att.decode_with_cache(X, stack, heads, cache)
    assert all(k.shape == (batch, kv_heads, seq, d_model // heads) for k in cache.keys + cache.values)
    itemsize = np.dtype(dtype).itemsize
    assert cache.nbytes == att.kv_cache_bytes(layers, kv_heads, d_model // heads, seq, batch, itemsize)
    tol = {np.float16: 1e-2, np.float32: 1e-5, np.float64: 1e-12}[dtype]
    np.testing.assert_allclose(decoded, att.attention_stack(X, stack, heads), atol=tol)


def test_kv_cache_of_a_7b_class_model() -> None:
    # 32 layers x 32 heads x 128 x 2 bytes x 2 (K and V) = 524288 bytes = 0.5 MiB per token.
    per_token = att.kv_cache_bytes(32, 32, 128, 1, 1, 2)
    assert per_token == 0.5 * 2**20
    assert att.kv_cache_bytes(32, 32, 128, 4096, 1, 2) == 2 * 2**30
    assert att.kv_cache_bytes(32, 8, 128, 4096, 1, 2) == 2**30 // 2  # 8 KV heads: a quarter
    assert att.kv_cache_bytes(32, 32, 128, 4096, 4, 2) == 4 * att.kv_cache_bytes(32, 32, 128, 4096, 1, 2)


# -- the published example ----------------------------------------------------------------------
def test_worked_example_by_hand() -> None:
    r = study.run()
    assert r.Q[0] @ r.K[1] == -3.0  # [0, 1, 1, 0] . [1, -2, -1, 0]
    assert r.scores[0, 1] == -1.5  # divided by sqrt(4) = 2
    e = [math.exp(0.0), math.exp(-1.5), math.exp(-1.0)]
    np.testing.assert_allclose(r.weights[0], [v / sum(e) for v in e], atol=1e-15)
    np.testing.assert_allclose(r.context[0], sum(r.weights[0, j] * r.V[j] for j in range(3)), atol=1e-15)
    np.testing.assert_array_equal(r.causal_weights[0], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(r.causal_context[0], r.V[0])
    e2 = [math.exp(0.5), math.exp(1.0)]
    np.testing.assert_allclose(r.causal_weights[1, :2], [v / sum(e2) for v in e2], atol=1e-15)
    p = r.weights[0]
    np.testing.assert_allclose(r.jacobian[0, 0], p[0] * (1 - p[0]), atol=1e-15)
    np.testing.assert_allclose(r.jacobian[0, 1], -p[0] * p[1], atol=1e-15)


def test_published_checks_are_tight() -> None:
    r = study.run()
    for name in ("rel_error_jacobian", "rel_error_Q", "rel_error_K", "rel_error_V",
                 "rel_error_causal_Q", "rel_error_causal_K", "rel_error_causal_V"):
        assert 0 <= getattr(r, name) < GRAD_TOL, name
    assert r.mha_vs_single_heads < 1e-12
    assert r.decode_max_diff < 1e-12
    assert r.cache_nbytes == r.cache_bytes_formula == 2 * 2 * 2 * 4 * 4 * 2 * 8
    assert r.mha_params_small == r.mha_params_small_counted == 4 * 8**2 + 4 * 8
    assert r.mha_params_7b_all_layers == 32 * 4 * 4096**2


def test_configuration_fields_match_the_arrays_and_formulas() -> None:
    r = study.run()
    defaults = inspect.signature(att.scaling_study).parameters  # the study runs with its defaults
    assert (r.scaling_n_queries, r.scaling_n_keys) == (defaults["n_queries"].default,
                                                       defaults["n_keys"].default)
    c = study.MHA_SHAPE
    p = att.init_mha(np.random.default_rng(0), c["d_model"], c["heads"])
    assert r.mha_weight_entries_small == p.W_Q.size == c["d_model"] ** 2
    assert r.mha_params_base == 4 * r.mha_base_d_model**2 + 4 * r.mha_base_d_model
    # A 7B-class decoder: d_model = heads x d_head; its parameters and cache follow from the config.
    assert r.d_model_7b == r.heads_7b * r.d_head_7b
    assert r.mha_params_7b == 4 * r.d_model_7b**2
    assert r.mha_params_7b_all_layers == r.layers_7b * r.mha_params_7b
    assert r.gqa_kv_width_7b == att.KV_HEADS_GQA * r.d_head_7b
    assert r.gqa_params_7b == 2 * r.d_model_7b**2 + 2 * r.d_model_7b * r.gqa_kv_width_7b
    assert r.kv_bytes_per_token == 2 * r.layers_7b * r.heads_7b * r.d_head_7b * 2
    np.testing.assert_array_equal(r.kv_bytes_mha, r.kv_bytes_per_token * r.kv_seq_lens)


def test_scaling_study_follows_sqrt_dk() -> None:
    r = study.run()
    np.testing.assert_allclose(r.std_raw, np.sqrt(r.d_ks), rtol=0.05)
    np.testing.assert_allclose(r.std_scaled, 1.0, rtol=0.05)
    assert np.all(np.diff(r.max_w_raw) > 0)  # unscaled: rows get more one-hot as d_k grows
    assert np.all(np.diff(r.jac_raw) < 0)  # ... and the softmax Jacobian shrinks
    assert np.ptp(r.max_w_scaled) < 0.05


def test_run_is_deterministic_and_leaves_the_example_alone() -> None:
    first, second = study.run(), study.run()
    np.testing.assert_array_equal(first.numeric_grad_K, second.numeric_grad_K)
    np.testing.assert_array_equal(first.std_raw, second.std_raw)
    assert att.W_K_EXAMPLE[1, 1] == -1.0


def test_attention_weights_csv_layout() -> None:
    rows = TABLES["attention-weights.csv"](run_all())
    assert rows[0] == ["quantity", "query", "col1", "col2", "col3", "col4"]
    by_name = {(row[0], row[1]): row[2:] for row in rows[1:]}
    assert by_name[("causal_scores", "1")][1:3] == ["-inf", "-inf"]
    assert by_name[("causal_weights", "1")] == ["1.0000", "0.0000", "0.0000", ""]
    assert by_name[("context", "2")][3] != ""  # context vectors fill the fourth column
    assert len(rows) == 1 + 6 * 3


# -- the page -----------------------------------------------------------------------------------
def test_both_languages_check_the_same_numbers(built_site: Path) -> None:
    report = json.loads((built_site / "verification.json").read_text(encoding="utf-8"))
    keys = {lang: sorted((c["key"], c["written"]) for c in report["claims"]
                         if c["page"] == f"docs/{lang}/attention-math.md") for lang in ("en", "zh")}
    assert keys["en"] == keys["zh"]
    assert len(keys["en"]) >= 12
    html = (built_site / "attention-math" / "index.html").read_text(encoding="utf-8")
    assert "attention-weights.csv" in html
    assert "attention-weights.svg" in html
    assert "⚠" not in html
    assert re.search(r'data-lab-numbers="(\d+)"', html)

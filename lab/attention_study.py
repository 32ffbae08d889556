"""The attention experiment: every number and array the attention article shows, in one result.

The functions it runs are in ``lab.attention``; this module only sets up the runs and collects
their outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lab.attention import (
    BASE_SHAPE,
    D_KS,
    GIB,
    GRAD_FLOOR,
    KV_CONFIG_7B,
    KV_HEADS_GQA,
    KV_SEQ_LENS,
    MIB,
    SCALING_KEYS,
    SCALING_QUERIES,
    SEED,
    W_K_EXAMPLE,
    W_Q_EXAMPLE,
    W_V_EXAMPLE,
    X_EXAMPLE,
    MHAParams,
    attention,
    attention_gradcheck,
    attention_stack,
    causal_mask,
    decode_with_cache,
    empty_cache,
    grad_rel_error,
    init_mha,
    kv_cache_bytes,
    mha_param_count,
    multi_head_attention,
    scaled_scores,
    scaling_study,
    softmax,
    softmax_jacobian,
)
from lab.gradcheck import EPS, numeric_gradient, rel_error

# -- the experiment -------------------------------------------------------------------------------
MHA_SHAPE = {"batch": 2, "seq": 4, "d_model": 8, "heads": 2, "layers": 2}
"""The small multi-head configuration the lab runs (d_head = 4)."""


@dataclass(frozen=True)
class AttentionResult:
    X: np.ndarray
    W_Q: np.ndarray
    W_K: np.ndarray
    W_V: np.ndarray
    Q: np.ndarray
    K: np.ndarray
    V: np.ndarray
    d_k: int
    sqrt_d_k: float
    dot_products: np.ndarray
    scores: np.ndarray
    exp_scores: np.ndarray
    exp_sums: np.ndarray
    weights: np.ndarray
    weight_row_sums: np.ndarray
    context: np.ndarray
    causal_scores: np.ndarray
    causal_weights: np.ndarray
    causal_context: np.ndarray
    jacobian: np.ndarray
    numeric_jacobian: np.ndarray
    rel_error_jacobian: float
    G: np.ndarray
    grad_Q: np.ndarray
    grad_K: np.ndarray
    grad_V: np.ndarray
    numeric_grad_Q: np.ndarray
    numeric_grad_K: np.ndarray
    numeric_grad_V: np.ndarray
    rel_error_Q: float
    rel_error_K: float
    rel_error_V: float
    causal_grad_Q: np.ndarray
    causal_grad_K: np.ndarray
    causal_grad_V: np.ndarray
    rel_error_causal_Q: float
    rel_error_causal_K: float
    rel_error_causal_V: float
    eps: float
    grad_floor: float
    d_ks: np.ndarray
    sqrt_d_ks: np.ndarray
    std_raw: np.ndarray
    std_scaled: np.ndarray
    max_w_raw: np.ndarray
    max_w_scaled: np.ndarray
    jac_raw: np.ndarray
    jac_scaled: np.ndarray
    scaling_n_queries: int
    scaling_n_keys: int
    mha_d_head: int
    mha_weight_entries_small: int
    mha_base_d_model: int
    layers_7b: int
    heads_7b: int
    d_head_7b: int
    d_model_7b: int
    gqa_kv_width_7b: int
    mha_vs_single_heads: float
    mha_params_small: int
    mha_params_small_counted: int
    mha_params_base: int
    mha_params_7b: int
    mha_params_7b_all_layers: int
    gqa_params_7b: int
    kv_seq_lens: np.ndarray
    kv_bytes_mha: np.ndarray
    kv_bytes_gqa: np.ndarray
    kv_bytes_per_token: int
    kv_mib_per_token: float
    kv_gib_mha: np.ndarray
    kv_gib_gqa: np.ndarray
    cache_nbytes: int
    cache_bytes_formula: int
    decode_max_diff: float


def heads_one_by_one(X: np.ndarray, p: MHAParams,
                     heads: int) -> np.ndarray:
    """Multi-head attention as h separate single-head attentions, each
    on its own column slice of the weights, side by side, then W_O."""
    d_head = p.W_Q.shape[1] // heads
    outs = []
    for h in range(heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        q = X @ p.W_Q[:, cols] + p.b_Q[cols]
        k = X @ p.W_K[:, cols] + p.b_K[cols]
        v = X @ p.W_V[:, cols] + p.b_V[cols]
        outs.append(attention(q, k, v)[0])
    return np.concatenate(outs, axis=-1) @ p.W_O + p.b_O


def cache_demo(rng: np.random.Generator) -> tuple[int, int, float]:
    """Decode the small stack token by token; return the cache's nbytes, the formula, and the
    largest gap between cached decoding and the full causal forward pass."""
    c = MHA_SHAPE
    stack = [init_mha(rng, c["d_model"], c["heads"]) for _ in range(c["layers"])]
    X = rng.standard_normal((c["batch"], c["seq"], c["d_model"]))
    cache = empty_cache(c["layers"], c["batch"], c["heads"], c["d_model"] // c["heads"])
    decoded = decode_with_cache(X, stack, c["heads"], cache)
    formula = kv_cache_bytes(c["layers"], c["heads"], c["d_model"] // c["heads"], c["seq"],
                             c["batch"], np.dtype(np.float64).itemsize)
    return cache.nbytes, formula, float(np.max(np.abs(decoded - attention_stack(X, stack, c["heads"]))))


def example_fields() -> dict[str, Any]:
    """The three-token example: projections, scores, weights and context, unmasked and causal."""
    X = X_EXAMPLE.copy()
    Q, K, V = X @ W_Q_EXAMPLE, X @ W_K_EXAMPLE, X @ W_V_EXAMPLE
    scores = scaled_scores(Q, K)
    context, weights = attention(Q, K, V)
    causal_context, causal_weights = attention(Q, K, V, causal_mask(3))
    return dict(
        X=X, W_Q=W_Q_EXAMPLE.copy(), W_K=W_K_EXAMPLE.copy(), W_V=W_V_EXAMPLE.copy(), Q=Q, K=K, V=V,
        d_k=Q.shape[1], sqrt_d_k=float(np.sqrt(Q.shape[1])), dot_products=Q @ K.T, scores=scores,
        exp_scores=np.exp(scores), exp_sums=np.sum(np.exp(scores), axis=1), weights=weights,
        weight_row_sums=np.sum(weights, axis=1), context=context,
        causal_scores=scaled_scores(Q, K, causal_mask(3)), causal_weights=causal_weights,
        causal_context=causal_context)


def gradient_fields(rng: np.random.Generator, ex: dict[str, Any]) -> dict[str, Any]:
    """Softmax Jacobian of row 1 and dL/dQ, dL/dK, dL/dV for L = sum(G * O), each next to
    centered differences; G is a seeded random upstream gradient."""
    s0 = ex["scores"][0].copy()
    numeric_jacobian = np.stack([numeric_gradient(lambda i=i: float(softmax(s0)[i]), s0)
                                 for i in range(len(s0))])
    jacobian = softmax_jacobian(ex["weights"][0])
    Q, K, V = ex["Q"], ex["K"], ex["V"]
    G = rng.standard_normal((Q.shape[0], V.shape[1]))
    plain = attention_gradcheck(Q, K, V, G, None)
    causal = attention_gradcheck(Q, K, V, G, causal_mask(Q.shape[0]))
    fields: dict[str, Any] = dict(jacobian=jacobian, numeric_jacobian=numeric_jacobian,
                                  rel_error_jacobian=rel_error(jacobian, numeric_jacobian), G=G, eps=EPS,
                                  grad_floor=GRAD_FLOOR)
    for m in "QKV":
        a, n = plain["analytic"][m], plain["numeric"][m]
        fields.update({f"grad_{m}": a, f"numeric_grad_{m}": n, f"rel_error_{m}": grad_rel_error(a, n),
                       f"causal_grad_{m}": causal["analytic"][m],
                       f"rel_error_causal_{m}": grad_rel_error(causal["analytic"][m], causal["numeric"][m])})
    return fields


def scaling_fields(rng: np.random.Generator) -> dict[str, Any]:
    study = scaling_study(rng)
    return dict(d_ks=np.array(D_KS), sqrt_d_ks=np.sqrt(np.array(D_KS, dtype=float)),
                scaling_n_queries=SCALING_QUERIES, scaling_n_keys=SCALING_KEYS, **study)


def heads_fields(rng: np.random.Generator) -> dict[str, Any]:
    """The small multi-head layer against its heads run one by one, and parameter counts."""
    c = MHA_SHAPE
    p = init_mha(rng, c["d_model"], c["heads"])
    X = rng.standard_normal((c["batch"], c["seq"], c["d_model"]))
    gap = np.max(np.abs(multi_head_attention(X, p, c["heads"])[0] - heads_one_by_one(X, p, c["heads"])))
    big = KV_CONFIG_7B
    d_model_7b = big["heads"] * big["d_head"]
    per_layer_7b = mha_param_count(d_model_7b, big["heads"], bias=False)
    return dict(
        mha_d_head=c["d_model"] // c["heads"], mha_vs_single_heads=float(gap),
        mha_weight_entries_small=p.W_Q.size,
        mha_params_small=mha_param_count(c["d_model"], c["heads"]),
        mha_params_small_counted=sum(arr.size for arr in p.arrays()),
        mha_base_d_model=BASE_SHAPE["d_model"],
        mha_params_base=mha_param_count(BASE_SHAPE["d_model"], BASE_SHAPE["heads"]),
        layers_7b=big["layers"], heads_7b=big["heads"], d_head_7b=big["d_head"], d_model_7b=d_model_7b,
        gqa_kv_width_7b=KV_HEADS_GQA * big["d_head"],
        mha_params_7b=per_layer_7b,
        mha_params_7b_all_layers=big["layers"] * per_layer_7b,
        gqa_params_7b=mha_param_count(d_model_7b, big["heads"], KV_HEADS_GQA, bias=False))


def kv_fields(rng: np.random.Generator) -> dict[str, Any]:
    """Cache bytes of the 7B-class configuration, batch 1, for 32 and for 8 KV heads, and the
    small decoded stack whose real cache arrays are counted."""
    c = KV_CONFIG_7B
    lens = np.array(KV_SEQ_LENS)
    mha = np.array([kv_cache_bytes(c["layers"], c["heads"], c["d_head"], n, 1, c["bytes_per_value"])
                    for n in lens])
    gqa = np.array([kv_cache_bytes(c["layers"], KV_HEADS_GQA, c["d_head"], n, 1, c["bytes_per_value"])
                    for n in lens])
    per_token = kv_cache_bytes(c["layers"], c["heads"], c["d_head"], 1, 1, c["bytes_per_value"])
    nbytes, formula, gap = cache_demo(rng)
    return dict(kv_seq_lens=lens, kv_bytes_mha=mha, kv_bytes_gqa=gqa, kv_bytes_per_token=per_token,
                kv_mib_per_token=per_token / MIB, kv_gib_mha=mha / GIB, kv_gib_gqa=gqa / GIB,
                cache_nbytes=nbytes, cache_bytes_formula=formula, decode_max_diff=gap)


def run(seed: int = SEED) -> AttentionResult:
    rng = np.random.default_rng(seed)
    example = example_fields()
    return AttentionResult(**example, **gradient_fields(rng, example), **scaling_fields(rng),
                           **heads_fields(rng), **kv_fields(rng))

"""Scaled dot-product attention: O = softmax(Q K^T / sqrt(d_k) + M) V, its gradients, heads and KV cache.

The three-token example uses small integer matrices so that every score is a multiple of 1/2 and
a reader can follow it by hand. Everything random (the upstream gradient, the sampling study,
the multi-head weights) comes from one seeded generator, so the numbers are the same every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lab.gradcheck import numeric_gradient, rel_error

SEED = 0

X_EXAMPLE = np.array([[1.0, 0.0, 1.0, 0.0],
                      [0.0, 1.0, 0.0, 1.0],
                      [1.0, 1.0, 0.0, 0.0]])
"""Three tokens (rows), d_model = 4."""

W_Q_EXAMPLE = np.array([[0.0, 0.0, 1.0, 0.0],
                        [1.0, 0.0, 0.0, -1.0],
                        [0.0, 1.0, 0.0, 0.0],
                        [0.0, 0.0, -1.0, 0.0]])
W_K_EXAMPLE = np.array([[0.0, 0.0, 0.0, 0.0],
                        [0.0, -1.0, -1.0, 0.0],
                        [1.0, 0.0, 0.0, 0.0],
                        [1.0, -1.0, 0.0, 0.0]])
W_V_EXAMPLE = np.array([[0.0, 0.0, 1.0, 0.0],
                        [0.0, 1.0, 0.0, 0.0],
                        [1.0, 0.0, 0.0, 0.0],
                        [0.0, 0.0, 0.0, 1.0]])

D_KS = (4, 16, 64, 256, 1024)
"""Key widths of the sampling study: each is 4 times the previous, so sqrt(d_k) doubles."""
SCALING_QUERIES, SCALING_KEYS = 256, 16
"""The sampling study's random queries per width, and the keys each query is scored against."""

KV_SEQ_LENS = (1, 512, 1024, 2048, 4096, 8192, 32768)
KV_CONFIG_7B = {"layers": 32, "heads": 32, "d_head": 128, "bytes_per_value": 2}
"""A 7B-class decoder (d_model = 4096) with its cache in fp16."""
KV_HEADS_GQA = 8
BASE_SHAPE = {"d_model": 512, "heads": 8}
"""One attention layer of Transformer-base."""
MIB, GIB = 2**20, 2**30

GRAD_FLOOR = 1e-3
"""Denominator floor of the gradients' relative error. An entry that is exactly 0 in exact
arithmetic (a whole row of dL/dQ under the causal mask) comes out as rounding noise: about 1e-17
analytically and, from a centered difference with eps = 1e-5, up to about 1e-11 numerically,
depending on the machine. Without the floor the ratio would compare noise with noise; with a
floor below that noise (1e-8 gave ratios up to 2e-3 under perturbed arithmetic) it still would.
1e-3 is above the noise by far and below the gradient entries that are not zero."""


# -- the attention function ---------------------------------------------------------------------
def softmax(S: np.ndarray) -> np.ndarray:
    """Row-wise softmax over the last axis. Subtracting the row maximum changes nothing
    mathematically (softmax ignores a constant shift) but keeps exp() from overflowing; a score
    of -inf becomes a weight of exactly 0."""
    shifted = S - np.max(S, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def causal_mask(n: int) -> np.ndarray:
    """True where query i may look at key j, i.e. j <= i (the lower triangle with the diagonal)."""
    return np.tril(np.ones((n, n), dtype=bool))


def scaled_scores(Q: np.ndarray, K: np.ndarray,
                  mask: np.ndarray | None = None) -> np.ndarray:
    """S = Q K^T / sqrt(d_k), -inf wherever the mask forbids a key.
    Works on any leading axes (batch, heads)."""
    S = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    return S if mask is None else np.where(mask, S, -np.inf)


def attention(Q: np.ndarray, K: np.ndarray, V: np.ndarray,
              mask: np.ndarray | None = None,
              ) -> tuple[np.ndarray, np.ndarray]:
    """Return the context vectors O = P V and the weights
    P = softmax(S)."""
    P = softmax(scaled_scores(Q, K, mask))
    return P @ V, P


# -- gradients ------------------------------------------------------------------------------------
def softmax_jacobian(p: np.ndarray) -> np.ndarray:
    """dp_i/ds_j = p_i (delta_ij - p_j), i.e. diag(p) - p p^T: symmetric, and every row sums to 0."""
    return np.diag(p) - np.outer(p, p)


def softmax_backward(P: np.ndarray, dP: np.ndarray) -> np.ndarray:
    """Apply each row's Jacobian without building it:
    dS = P * (dP - rowsum(dP * P))."""
    return P * (dP - np.sum(dP * P, axis=-1, keepdims=True))


def attention_backward(Q: np.ndarray, K: np.ndarray, V: np.ndarray,
                       P: np.ndarray,
                       G: np.ndarray) -> tuple[np.ndarray, ...]:
    """Given G = dL/dO, return dL/dQ, dL/dK, dL/dV. Masked weights are
    0, so no gradient flows through a masked score: no special case."""
    dV = np.swapaxes(P, -1, -2) @ G
    dP = G @ np.swapaxes(V, -1, -2)
    dS = softmax_backward(P, dP)
    scale = 1.0 / np.sqrt(Q.shape[-1])
    dQ = dS @ K * scale
    dK = np.swapaxes(dS, -1, -2) @ Q * scale
    return dQ, dK, dV


def grad_rel_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """Largest entry-wise relative error, with the denominator floored at GRAD_FLOOR."""
    return rel_error(analytic, numeric, tiny=GRAD_FLOOR)


def attention_gradcheck(Q: np.ndarray, K: np.ndarray, V: np.ndarray, G: np.ndarray,
                        mask: np.ndarray | None) -> dict[str, np.ndarray]:
    """Analytic gradients of L = sum(G * O) next to centered differences, for Q, K and V."""
    Q, K, V = Q.copy(), K.copy(), V.copy()  # the numeric gradient nudges them in place

    def loss() -> float:
        return float(np.sum(G * attention(Q, K, V, mask)[0]))

    _, P = attention(Q, K, V, mask)
    analytic = dict(zip("QKV", attention_backward(Q, K, V, P, G), strict=True))
    numeric = {"Q": numeric_gradient(loss, Q), "K": numeric_gradient(loss, K),
               "V": numeric_gradient(loss, V)}
    return {"analytic": analytic, "numeric": numeric}


# -- why sqrt(d_k) --------------------------------------------------------------------------------
def scaling_study(rng: np.random.Generator, d_ks: tuple[int, ...] = D_KS, n_queries: int = SCALING_QUERIES,
                  n_keys: int = SCALING_KEYS) -> dict[str, np.ndarray]:
    """For unit-variance random q and k, the std of q.k grows like sqrt(d_k). Unscaled scores
    then push softmax to one-hot rows whose Jacobian is nearly zero; dividing by sqrt(d_k) does not."""
    out: dict[str, list[float]] = {name: [] for name in
                                   ("std_raw", "std_scaled", "max_w_raw", "max_w_scaled",
                                    "jac_raw", "jac_scaled")}
    for d_k in d_ks:
        q = rng.standard_normal((n_queries, 1, d_k))
        k = rng.standard_normal((n_queries, n_keys, d_k))
        raw = np.sum(q * k, axis=-1)  # (n_queries, n_keys) dot products
        for tag, S in (("raw", raw), ("scaled", raw / np.sqrt(d_k))):
            P = softmax(S)
            out[f"std_{tag}"].append(float(np.std(S)))
            out[f"max_w_{tag}"].append(float(np.mean(np.max(P, axis=-1))))
            out[f"jac_{tag}"].append(float(np.mean(_jacobian_norms(P))))
    return {name: np.array(values) for name, values in out.items()}


def _jacobian_norms(P: np.ndarray) -> np.ndarray:
    """Frobenius norm of diag(p) - p p^T for every row p, from ||J||^2 = sum p^2 - 2 sum p^3 + (sum p^2)^2."""
    s2, s3 = np.sum(P**2, axis=-1), np.sum(P**3, axis=-1)
    return np.sqrt(np.maximum(s2 - 2 * s3 + s2**2, 0.0))


# -- multi-head attention -------------------------------------------------------------------------
@dataclass(frozen=True)
class MHAParams:
    """Projections of one attention layer. W_K, W_V are d_model x (kv_heads * d_head): fewer
    columns than W_Q under grouped-query attention."""

    W_Q: np.ndarray
    W_K: np.ndarray
    W_V: np.ndarray
    W_O: np.ndarray
    b_Q: np.ndarray
    b_K: np.ndarray
    b_V: np.ndarray
    b_O: np.ndarray

    def arrays(self) -> tuple[np.ndarray, ...]:
        return (self.W_Q, self.W_K, self.W_V, self.W_O, self.b_Q, self.b_K, self.b_V, self.b_O)


def init_mha(rng: np.random.Generator, d_model: int, heads: int, kv_heads: int | None = None) -> MHAParams:
    """Random projections with 1/sqrt(fan_in) scale; kv_heads = heads is ordinary multi-head."""
    d_kv = (kv_heads or heads) * (d_model // heads)
    s = 1.0 / np.sqrt(d_model)
    return MHAParams(
        W_Q=s * rng.standard_normal((d_model, d_model)), W_K=s * rng.standard_normal((d_model, d_kv)),
        W_V=s * rng.standard_normal((d_model, d_kv)), W_O=s * rng.standard_normal((d_model, d_model)),
        b_Q=0.1 * rng.standard_normal(d_model), b_K=0.1 * rng.standard_normal(d_kv),
        b_V=0.1 * rng.standard_normal(d_kv), b_O=0.1 * rng.standard_normal(d_model))


def split_heads(Y: np.ndarray, heads: int) -> np.ndarray:
    """(batch, seq, heads * d_head) -> (batch, heads, seq, d_head).
    Reshape first, then transpose: each head becomes a batch entry."""
    batch, seq, width = Y.shape
    Y = Y.reshape(batch, seq, heads, width // heads)
    return Y.transpose(0, 2, 1, 3)


def merge_heads(Y: np.ndarray) -> np.ndarray:
    """(batch, heads, seq, d_head) -> (batch, seq, heads * d_head): heads side by side per token."""
    batch, heads, seq, d_head = Y.shape
    return Y.transpose(0, 2, 1, 3).reshape(batch, seq, heads * d_head)


def project_qkv(X: np.ndarray, p: MHAParams, heads: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Q (batch, heads, seq, d_head); K and V (batch, kv_heads, seq, d_head)."""
    kv_heads = p.W_K.shape[1] // (p.W_Q.shape[1] // heads)
    return (split_heads(X @ p.W_Q + p.b_Q, heads), split_heads(X @ p.W_K + p.b_K, kv_heads),
            split_heads(X @ p.W_V + p.b_V, kv_heads))


def share_kv(T: np.ndarray, heads: int) -> np.ndarray:
    """Grouped-query attention: repeat each of the kv_heads K (or V) heads for its group of queries."""
    return np.repeat(T, heads // T.shape[1], axis=1)


def multi_head_attention(X: np.ndarray, p: MHAParams, heads: int,
                         causal: bool = False,
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Output (batch, seq, d_model), weights (batch, heads, seq, seq).
    All heads go through one batched matmul."""
    Q, K, V = project_qkv(X, p, heads)
    K, V = share_kv(K, heads), share_kv(V, heads)
    mask = causal_mask(X.shape[1]) if causal else None
    context, P = attention(Q, K, V, mask)
    return merge_heads(context) @ p.W_O + p.b_O, P


def mha_param_count(d_model: int, heads: int, kv_heads: int | None = None, bias: bool = True) -> int:
    """W_Q and W_O are d_model^2 each; W_K and W_V are d_model * kv_heads * d_head each; plus biases."""
    d_kv = (kv_heads or heads) * (d_model // heads)
    weights = 2 * d_model * d_model + 2 * d_model * d_kv
    return weights + (2 * d_model + 2 * d_kv if bias else 0)


# -- KV cache -------------------------------------------------------------------------------------
def kv_cache_bytes(layers: int, kv_heads: int, d_head: int, seq_len: int, batch: int,
                   bytes_per_value: int) -> int:
    """2 (K and V) x layers x kv_heads x d_head x seq_len x batch x bytes per value."""
    return 2 * layers * kv_heads * d_head * seq_len * batch * bytes_per_value


@dataclass
class KVCache:
    """Per layer, K and V of every past token: arrays (batch, kv_heads, tokens so far, d_head)."""

    keys: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)

    def append(self, layer: int, k: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Store the new token's k, v (in the cache's dtype) and return all keys and values so far."""
        self.keys[layer] = np.concatenate([self.keys[layer], k.astype(self.keys[layer].dtype)], axis=2)
        self.values[layer] = np.concatenate([self.values[layer], v.astype(self.values[layer].dtype)], axis=2)
        return self.keys[layer], self.values[layer]

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.keys + self.values)


def empty_cache(layers: int, batch: int, kv_heads: int, d_head: int, dtype: type = np.float64) -> KVCache:
    empty = [np.zeros((batch, kv_heads, 0, d_head), dtype=dtype) for _ in range(2 * layers)]
    return KVCache(keys=empty[:layers], values=empty[layers:])


def attention_stack(X: np.ndarray, stack: list[MHAParams], heads: int) -> np.ndarray:
    """A toy decoder of attention-only layers with residuals, run on the whole sequence at once."""
    for p in stack:
        X = X + multi_head_attention(X, p, heads, causal=True)[0]
    return X


def decode_with_cache(X: np.ndarray, stack: list[MHAParams], heads: int,
                      cache: KVCache) -> np.ndarray:
    """The same stack, one token at a time: each step computes q, k, v
    for the new token only and attends over the cached keys. No mask is
    needed: the future is not in the cache yet."""
    outputs = []
    for t in range(X.shape[1]):
        x = X[:, t : t + 1]  # (batch, 1, d_model)
        for layer, p in enumerate(stack):
            q, k, v = project_qkv(x, p, heads)
            K, V = cache.append(layer, k, v)
            o, _ = attention(q, share_kv(K, heads), share_kv(V, heads))
            x = x + merge_heads(o) @ p.W_O + p.b_O
        outputs.append(x)
    return np.concatenate(outputs, axis=1)

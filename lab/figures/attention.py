"""Figures of the attention article: weight heatmaps, the sqrt(d_k) study, KV-cache memory."""

from __future__ import annotations

from typing import Any

import numpy as np

from lab.plotting import on_fill, pyplot


def _heatmap(ax: Any, P: np.ndarray, allowed: np.ndarray, cmap: Any, title: str) -> Any:
    """One weight matrix: a cell per (query, key) with its value; masked cells hatched grey."""
    shown = np.where(allowed, P, np.nan)
    image = ax.imshow(shown, cmap=cmap, vmin=0.0, vmax=1.0)
    n = P.shape[0]
    for i in range(n):
        for j in range(n):
            if allowed[i, j]:
                on_fill(ax.text(j, i, f"{P[i, j]:.4f}", ha="center", va="center",
                                color="white" if P[i, j] > 0.6 else "black", fontsize=10))  # on the image
            else:
                cell = ax.add_patch(_masked_cell(j, i))
                on_fill(ax.text(j, i, "0", ha="center", va="center", color="#595959", fontsize=10),
                        cell.get_facecolor())
    ax.set_xticks(range(n), [f"$k_{j + 1}$" for j in range(n)])
    ax.set_yticks(range(n), [f"$q_{i + 1}$" for i in range(n)])
    ax.xaxis.tick_top()
    ax.set_title(title, fontsize=11, pad=24)
    return image


def _masked_cell(x: float, y: float) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor="#eeeeee", edgecolor="#bbbbbb",
                     hatch="//", linewidth=0)


def weights_heatmap(results: dict[str, Any]) -> Any:
    """softmax(S) and softmax(S + M) side by side: the causal mask empties the upper triangle."""
    plt = pyplot()
    r = results["attention"]
    n = r.weights.shape[0]
    cmap = plt.get_cmap("Blues")
    fig, axes = plt.subplots(1, 2, figsize=(7.4, 3.4), constrained_layout=True)
    _heatmap(axes[0], r.weights, np.ones((n, n), dtype=bool), cmap, r"$\mathrm{softmax}(S)$")
    image = _heatmap(axes[1], r.causal_weights, np.tril(np.ones((n, n), dtype=bool)), cmap,
                     r"$\mathrm{softmax}(S + M)$")
    fig.colorbar(image, ax=axes, shrink=0.8)
    return fig


def scaling_study(results: dict[str, Any]) -> Any:
    """Against d_k: the spread of the scores, the mean largest weight, the softmax Jacobian's size."""
    plt = pyplot()
    r = results["attention"]
    d = r.d_ks
    fig, axes = plt.subplots(1, 3, figsize=(9.0, 3.4), constrained_layout=True)
    raw = {"marker": "o", "color": "#c0392b", "label": r"$s = q\cdot k$"}
    scaled = {"marker": "s", "color": "#2c6fbb", "label": r"$s = q\cdot k/\sqrt{d_k}$"}
    axes[0].plot(d, r.sqrt_d_ks, "--", color="#222222", linewidth=1, zorder=3, label=r"$\sqrt{d_k}$")
    panels = ((r.std_raw, r.std_scaled, r"$\sigma(s)$"),
              (r.max_w_raw, r.max_w_scaled, r"$\mathbb{E}\,[\max_j\, p_j]$"),
              (r.jac_raw, r.jac_scaled, r"$\mathbb{E}\,\Vert \mathrm{diag}(p) - p\,p^\top \Vert_F$"))
    for ax, (y_raw, y_scaled, title) in zip(axes, panels, strict=True):
        ax.plot(d, y_raw, **raw)
        ax.plot(d, y_scaled, **scaled)
        ax.set_xscale("log", base=2)
        ax.set_xticks(d, [str(v) for v in d])
        ax.set_xlabel("$d_k$")
        ax.set_title(title, fontsize=11)
        ax.grid(alpha=0.3)
    axes[0].set_yscale("log", base=2)
    axes[0].set_yticks([1, 2, 4, 8, 16, 32], ["1", "2", "4", "8", "16", "32"])
    axes[1].set_ylim(0, 1.05)
    axes[2].set_ylim(0, 0.35)
    axes[0].legend(fontsize=9)
    return fig


def kv_cache_memory(results: dict[str, Any]) -> Any:
    """KV-cache GiB against sequence length for 32 and 8 KV heads (32 layers, d_head 128, fp16)."""
    plt = pyplot()
    r = results["attention"]
    lens, keep = r.kv_seq_lens, r.kv_seq_lens >= 512
    fig, ax = plt.subplots(figsize=(5.6, 3.6), constrained_layout=True)
    ax.plot(lens[keep], r.kv_gib_mha[keep], "o-", color="#c0392b", label=r"$h_{kv} = 32$")
    ax.plot(lens[keep], r.kv_gib_gqa[keep], "s-", color="#2c6fbb", label=r"$h_{kv} = 8$")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xticks(lens[keep], [str(v) for v in lens[keep]])
    levels = np.unique(np.concatenate([r.kv_gib_mha[keep], r.kv_gib_gqa[keep]]))
    ax.set_yticks(levels, [f"{v:g}" for v in levels])
    ax.minorticks_off()
    ax.set_xlabel(r"$n_{\mathrm{seq}}$")
    ax.set_ylabel("GiB")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    return fig


FIGURES = {
    "attention-weights": weights_heatmap,
    "attention-scaling": scaling_study,
    "attention-kv-cache": kv_cache_memory,
}

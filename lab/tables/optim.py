"""CSV tables of the optimizer-geometry article."""

from __future__ import annotations

from typing import Any

METHODS = ("gd", "momentum", "adam")


def optimizer_path_rows(results: dict[str, Any]) -> list[list[str]]:
    """Every iterate of the three optimizers: coordinates and loss, one method after the other."""
    r = results["optim"]
    rows = [["step", "method", "x", "y", "loss"]]
    for method in METHODS:
        path, losses = getattr(r, f"{method}_path"), getattr(r, f"{method}_losses")
        for step, ((x, y), value) in enumerate(zip(path, losses, strict=True)):
            rows.append([str(step), method, f"{x:.6f}", f"{y:.6f}", f"{value:.6e}"])
    return rows


def learning_rate_rows(results: dict[str, Any]) -> list[list[str]]:
    """GD on the example for each learning rate: eta * lambda_max, the worst factor, the final loss."""
    r = results["optim"]
    rows = [["lr", "lr_times_lambda_max", "worst_factor", f"loss_after_{r.sweep_steps}"]]
    for lr, radius, value in zip(r.sweep_lrs, r.sweep_radius, r.sweep_losses, strict=True):
        rows.append([f"{lr:.4f}", f"{lr * r.eigenvalues[0]:.3f}", f"{radius:.4f}", f"{value:.3e}"])
    return rows


def conditioning_rows(results: dict[str, Any]) -> list[list[str]]:
    """Steps to the tolerance for each kappa: tuned GD (measured and predicted) and tuned heavy ball."""
    r = results["optim"]
    # The step counts first: the table is wider than the page and the rest scrolls.
    rows = [["kappa", "gd_steps", "hb_steps", "gd_predicted", "gd_rate", "hb_rate",
             "gd_lr", "hb_lr", "hb_beta"]]
    for i, kappa in enumerate(r.kappas):
        rows.append([
            f"{kappa:g}", str(r.cond_gd_steps[i]), str(r.cond_hb_steps[i]), str(r.cond_gd_predicted[i]),
            f"{r.cond_gd_rate[i]:.4f}", f"{r.cond_hb_rate[i]:.4f}",
            f"{r.cond_gd_lr[i]:.5f}", f"{r.cond_hb_lr[i]:.5f}", f"{r.cond_hb_beta[i]:.4f}",
        ])
    return rows


TABLES = {
    "optimizer-path.csv": optimizer_path_rows,
    "optimizer-learning-rates.csv": learning_rate_rows,
    "optimizer-conditioning.csv": conditioning_rows,
}

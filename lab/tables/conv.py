"""CSV tables of the convolution article."""

from __future__ import annotations

from typing import Any


def output_size_rows(results: dict[str, Any]) -> list[list[str]]:
    """One row per worked example: ratio = (W - F_eff + 2P) / S, floor + 1 and ceil + 1, and the
    side of the output the lab's conv actually returned. Settings share a column: six fit a page."""
    r = results["conv"]
    rows = [["W/F/P/S/d", "F_eff", "ratio", "floor", "ceil", "conv"]]
    for i in range(len(r.size_w)):
        setting = "/".join(str(int(v[i])) for v in (r.size_w, r.size_f, r.size_p, r.size_s, r.size_d))
        rows.append([setting, str(int(r.size_eff_kernel[i])), f"{r.size_ratio[i]:g}",
                     str(int(r.size_formula[i])), str(int(r.size_ceil[i])), str(int(r.size_out[i]))])
    return rows


def receptive_field_rows(results: dict[str, Any]) -> list[list[str]]:
    """Per layer of the stack: its settings, the recurrence, and the back-propagated measurement."""
    r = results["conv"]
    rows = [["layer", "k/s/d/p", "jump", "start", "r", "r_measured"]]
    for i in range(len(r.rf_kernel)):
        setting = "/".join(str(int(v[i])) for v in (r.rf_kernel, r.rf_stride, r.rf_dilation, r.rf_padding))
        rows.append([str(i + 1), setting] + [str(int(v[i])) for v in (r.rf_jump, r.rf_start, r.rf_size,
                                                                       r.rf_measured)])
    return rows


def parameter_count_rows(results: dict[str, Any]) -> list[list[str]]:
    """Standard vs depthwise-separable: parameters (formula and counted arrays) and MACs."""
    r = results["conv"]
    return [
        ["layer", "params", "params_counted", "macs"],
        ["standard 3x3", str(r.params_standard), str(r.params_standard_counted), str(r.macs_standard)],
        ["depthwise 3x3", str(r.params_depthwise), "", str(r.macs_depthwise)],
        ["pointwise 1x1", str(r.params_pointwise), "", str(r.macs_pointwise)],
        ["separable total", str(r.params_separable), str(r.params_separable_counted), str(r.macs_separable)],
        ["ratio", f"{r.params_ratio:.4f}", "", f"{r.macs_ratio:.4f}"],
    ]


TABLES = {
    "conv-output-sizes.csv": output_size_rows,
    "conv-receptive-field.csv": receptive_field_rows,
    "conv-parameter-counts.csv": parameter_count_rows,
}

"""How the articles title the columns of the lab's CSV files, in English and in Chinese.

The CSV files keep the lab's column names: a download is read by code. The pages show these titles
instead (``{n}`` in a name stands for a number the lab writes into it, and the title repeats it).
Symbols stay symbols in both languages. tests/test_tables.py holds every column of every table to a
title here.
"""

from __future__ import annotations

import re

TITLES: dict[str, tuple[str, str]] = {
    # shared
    "parameter": ("parameter", "参数"),
    "entry": ("entry", "元素"),
    "row": ("row", "行"),
    "col": ("column", "列"),
    "analytic": ("analytic", "解析梯度"),
    "numeric": ("numeric", "数值梯度"),
    "abs_error": ("absolute error", "绝对误差"),
    "rel_error": ("relative error", "相对误差"),
    "iteration": ("iteration", "迭代次数"),
    "loss": ("loss", "损失"),
    "shape": ("shape", "形状"),
    # MSE
    "param_error_norm": ("error norm of the parameter", "该参数的误差范数"),
    # one neuron
    "i": (r"\(i\)", r"\(i\)"),
    "y_i": (r"\(y_i\)", r"\(y_i\)"),
    "z_i": (r"\(z_i\)", r"\(z_i\)"),
    "relu'(z_i)": (r"\(\mathrm{relu}'(z_i)\)", r"\(\mathrm{relu}'(z_i)\)"),
    "e_i": (r"\(e_i\)", r"\(e_i\)"),
    "delta_i": (r"\(\delta_i\)", r"\(\delta_i\)"),
    "operation": ("operation", "运算"),
    "wrt": ("with respect to", "求导对象"),
    "closed_form": ("closed form", "闭式解"),
    "max_rel_error": ("largest relative error", "最大相对误差"),
    # scalar rules
    "f(x)": (r"\(f(x)\)", r"\(f(x)\)"),
    "f'(x)": (r"\(f'(x)\) by the rule", r"按法则求出的 \(f'(x)\)"),
    "f'({n})": (r"\(f'({n})\)", r"\(f'({n})\)"),
    "centered": ("centered difference", "中心差分"),
    # matrix product
    "dW_cols": (r"\(dW\), samples as columns", r"\(dW\)，样本按列"),
    "dX_cols": (r"\(dX\), samples as columns", r"\(dX\)，样本按列"),
    "dW_rows": (r"\(dW\), samples as rows", r"\(dW\)，样本按行"),
    "dX_rows": (r"\(dX\), samples as rows", r"\(dX\)，样本按行"),
    "max_gap": ("largest gap between layouts", "两种布局的最大差距"),
    # spiral
    "linear_loss": ("linear classifier: loss", "线性分类器：损失"),
    "linear_accuracy": ("linear classifier: accuracy", "线性分类器：准确率"),
    "net_loss": ("two-layer network: loss", "两层网络：损失"),
    "net_accuracy": ("two-layer network: accuracy", "两层网络：准确率"),
    # softmax network by differentials
    "formula": ("formula", "公式"),
    "route_gap": ("largest gap to the entry-by-entry route", "与逐个元素推导的最大差距"),
    # optimizers
    "step": ("step", "步数"),
    "method": ("method", "方法"),
    "x": (r"\(x\)", r"\(x\)"),
    "y": (r"\(y\)", r"\(y\)"),
    "lr": (r"learning rate \(\eta\)", r"学习率 \(\eta\)"),
    "lr_times_lambda_max": (r"\(\eta\,\lambda_{\max}\)", r"\(\eta\,\lambda_{\max}\)"),
    "worst_factor": ("worst factor per step", "每步最差的收缩因子"),
    "loss_after_{n}": ("loss after {n} steps", "{n} 步后的损失"),
    "kappa": (r"\(\kappa\)", r"\(\kappa\)"),
    "gd_steps": ("GD: steps", "GD：步数"),
    "hb_steps": ("heavy ball: steps", "重球法：步数"),
    "gd_predicted": ("GD: steps predicted", "GD：预测步数"),
    "gd_rate": ("GD: rate", "GD：收敛率"),
    "hb_rate": ("heavy ball: rate", "重球法：收敛率"),
    "gd_lr": (r"GD: \(\eta\)", r"GD：\(\eta\)"),
    "hb_lr": (r"heavy ball: \(\eta\)", r"重球法：\(\eta\)"),
    "hb_beta": (r"heavy ball: \(\beta\)", r"重球法：\(\beta\)"),
    # convolution
    "W/F/P/S/d": (r"\(W / F / P / S / d\)", r"\(W / F / P / S / d\)"),
    "F_eff": (r"\(F_{\mathrm{eff}}\)", r"\(F_{\mathrm{eff}}\)"),
    "ratio": ("ratio", "比值"),
    "floor": ("floor + 1", "向下取整 + 1"),
    "ceil": ("ceil + 1", "向上取整 + 1"),
    "conv": ("conv output", "卷积实际输出"),
    "layer": ("layer", "层"),
    "k/s/d/p": (r"\(k / s / d / p\)", r"\(k / s / d / p\)"),
    "jump": ("jump", "跳距"),
    "start": ("start", "起点"),
    "r": (r"\(r\)", r"\(r\)"),
    "r_measured": (r"\(r\), measured", r"\(r\)，实测"),
    "params": ("parameters", "参数量"),
    "params_counted": ("parameters, counted", "参数量（逐个数组清点）"),
    "macs": ("MACs", "乘加次数"),
    # attention
    "quantity": ("quantity", "量"),
    "query": ("query", "查询"),
    "col{n}": ("column {n}", "第 {n} 列"),
    "gradient": ("gradient", "梯度"),
    "mask": ("mask", "掩码"),
    "max_abs_analytic": ("largest analytic magnitude", "解析梯度的最大幅值"),
    "d_k": (r"\(d_k\)", r"\(d_k\)"),
    "sqrt_d_k": (r"\(\sqrt{d_k}\)", r"\(\sqrt{d_k}\)"),
    "std_raw": (r"std of \(q \cdot k\)", r"\(q \cdot k\) 的标准差"),
    "std_scaled": (r"std of \(q \cdot k / \sqrt{d_k}\)", r"\(q \cdot k / \sqrt{d_k}\) 的标准差"),
    "max_w_raw": ("largest weight, unscaled", "最大权重（未缩放）"),
    "max_w_scaled": ("largest weight, scaled", "最大权重（缩放后）"),
    "jac_raw": ("softmax Jacobian norm, unscaled", "softmax 雅可比范数（未缩放）"),
    "jac_scaled": ("softmax Jacobian norm, scaled", "softmax 雅可比范数（缩放后）"),
    "seq_len": ("sequence length", "序列长度"),
    "bytes_mha": ("bytes, MHA", "字节数（MHA）"),
    "GiB_mha": ("GiB, MHA", "GiB（MHA）"),
    "bytes_gqa{n}": ("bytes, GQA ({n} KV heads)", "字节数（GQA，{n} 个 KV 头）"),
    "GiB_gqa{n}": ("GiB, GQA ({n} KV heads)", "GiB（GQA，{n} 个 KV 头）"),
}
"""Lab column name -> (English title, Chinese title)."""

LANGUAGES = ("en", "zh")


def title(column: str, lang: str) -> str | None:
    """The title of ``column`` in ``lang``, or None when no title is given for it."""
    which = LANGUAGES.index(lang) if lang in LANGUAGES else 0
    if column in TITLES:
        return TITLES[column][which]
    for name, titles in TITLES.items():
        if "{n}" in name:
            match = re.fullmatch(re.escape(name).replace(r"\{n\}", r"(\d+)"), column)
            if match:
                return titles[which].format(n=match.group(1))
    return None

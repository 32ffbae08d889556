"""Words the site itself puts on pages (not the articles' prose), in each language."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    "en": {
        "route": "Route",
        "step": "step {i} of {n}",
        "previous": "Previous",
        "next": "Next",
        "reading": "{minutes} min read",
        "tags": "Tags",
        "resources": "Companion resources",
        "faq": "FAQ",
        "download": "Download",
        "sha256": "SHA-256",
        "kind.guide": "Guide",
        "kind.dataset": "Dataset",
        "kind.diagram": "Diagram",
        "kind.tool": "Tool",
        "steps": "{n} articles",
        "start": "Start the route",
        "site": "Deep Learning Math Lab",
        "recomputed": "{n} numbers recomputed by the lab",
        "varies": "On another machine these columns may differ, within the stated bounds: {columns}.",
        "varies.below": "both below {bound}",
        "colon": ": ",
        "separator": ", ",
        "dash": " — ",
        "reading.title": "Further reading",
    },
    "zh": {
        "route": "学习路线",
        "step": "第 {i} 步，共 {n} 步",
        "previous": "上一篇",
        "next": "下一篇",
        "reading": "阅读约 {minutes} 分钟",
        "tags": "标签",
        "resources": "配套资源",
        "faq": "常见问题",
        "download": "下载",
        "sha256": "SHA-256",
        "kind.guide": "指南",
        "kind.dataset": "数据集",
        "kind.diagram": "图表",
        "kind.tool": "工具",
        "steps": "{n} 篇文章",
        "start": "从第一篇开始",
        "site": "深度学习数学实验室",
        "recomputed": "{n} 个数字由实验代码重新计算",
        "varies": "在其他机器上，以下各列的数值可能略有不同，但不会超出标注的范围：{columns}。",
        "varies.below": "均低于 {bound}",
        "colon": "：",
        "separator": "、",
        "dash": "——",
        "reading.title": "延伸阅读",
    },
}
"""Language -> key -> text. Both languages have the same keys and placeholders, and every key is used
(tests/test_ui_text.py)."""


def ui(lang: str, key: str, **values: object) -> str:
    return UI[lang][key].format(**values)

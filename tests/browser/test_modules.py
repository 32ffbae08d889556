"""The interactive modules compute in JavaScript what the NumPy lab computes, for the lab's own
inputs, and keep doing so when a reader edits them. User input is only ever shown as text."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lab.registry import run_all

RESULTS = run_all()


def open_module(watched, site_url: str, path: str, name: str):
    page = watched.page
    page.goto(site_url + path, wait_until="networkidle")
    page.wait_for_function(f"document.querySelector('[data-module=\"{name}\"]').labState !== undefined")
    return page, f"document.querySelector('[data-module=\"{name}\"]')"


@pytest.mark.parametrize("lang", ["", "zh/"])
def test_gradient_checker_matches_the_lab(watched, site_url: str, lang: str) -> None:
    page, module = open_module(watched, site_url, lang + "mse-gradient/", "gradient-checker")
    state = page.evaluate(f"{module}.labState")
    mse = RESULTS["mse"]
    np.testing.assert_allclose(state["analytic"], mse.grad_W, rtol=0, atol=1e-12)
    np.testing.assert_allclose(state["numeric"], mse.numeric_grad_W, rtol=0, atol=1e-8)
    assert state["maxDiff"] < 1e-8
    page.locator("[data-module='gradient-checker'] input").first.fill("3")  # x_0 = 3
    state = page.evaluate(f"{module}.labState")
    np.testing.assert_allclose(np.array(state["analytic"])[:, 0], 3 * mse.e[:, 0], atol=1e-12)
    page.locator("[data-module='gradient-checker'] input").first.fill("-1e-9")  # rounds to zero at 6 decimals
    cells = page.locator("[data-module='gradient-checker'] table.lab-matrix td").all_inner_texts()
    assert "0.000000" in cells
    assert not any(cell.startswith("-0.000000") for cell in cells)  # no negative zero
    assert watched.errors == []


def test_optimizer_paths_match_the_lab_csv(watched, site_url: str) -> None:
    page, module = open_module(watched, site_url, "optimizer-geometry/", "optimizer-paths")
    paths = page.evaluate(f"{module}.labState.paths")
    optim = RESULTS["optim"]
    np.testing.assert_allclose(paths["gd"], optim.gd_path, rtol=0, atol=1e-9)
    np.testing.assert_allclose(paths["momentum"], optim.momentum_path, rtol=0, atol=1e-9)
    np.testing.assert_allclose(paths["adam"], optim.adam_path, rtol=0, atol=1e-9)
    slider = page.locator("[data-module='optimizer-paths'] input[type=range]").first
    slider.fill("0.21")  # past 2 / lambda_max = 0.2: gradient descent must now diverge
    state = page.evaluate(f"{module}.labState")
    assert state["params"]["lr"] == pytest.approx(0.21)
    final = np.array(state["paths"]["gd"][-1])
    assert np.linalg.norm(final) > np.linalg.norm(optim.theta0)
    assert watched.errors == []


def test_conv_calculator_matches_the_lab(watched, site_url: str) -> None:
    page, module = open_module(watched, site_url, "zh/convolution-receptive-field/", "conv-calculator")
    conv = RESULTS["conv"]
    for w, f, p, s, d, out in zip(conv.size_w, conv.size_f, conv.size_p, conv.size_s, conv.size_d, conv.size_out,
                                  strict=True):
        got = page.evaluate(f"{module}.labCompute.outputSize({w}, {f}, {p}, {s}, {d})")
        assert got["out"] == out
        assert got["effective"] == d * (f - 1) + 1
    fields = page.evaluate(f"{module}.labState.fields")
    assert [row["size"] for row in fields] == conv.rf_size.tolist()
    assert [row["jump"] for row in fields] == conv.rf_jump.tolist()
    assert watched.errors == []


def test_attention_heatmap_matches_the_lab_and_renormalizes(watched, site_url: str) -> None:
    page, module = open_module(watched, site_url, "attention-math/", "attention-heatmap")
    attention = RESULTS["attention"]
    state = page.evaluate(f"{module}.labState")
    np.testing.assert_allclose(state["weights"], attention.weights, rtol=0, atol=1e-12)
    page.locator("[data-module='attention-heatmap'] input[type=checkbox]").check()
    state = page.evaluate(f"{module}.labState")
    np.testing.assert_allclose(state["weights"], attention.causal_weights, rtol=0, atol=1e-12)
    page.locator("[data-module='attention-heatmap'] input[type=checkbox]").uncheck()
    page.locator("[data-module='attention-heatmap'] input[type=number]").nth(1).fill("4")  # S[0, 1] = 4
    weights = np.array(page.evaluate(f"{module}.labState.weights"))
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-12)
    row = np.exp(np.array([attention.scores[0, 0], 4.0, attention.scores[0, 2]]))
    np.testing.assert_allclose(weights[0], row / row.sum(), atol=1e-12)
    np.testing.assert_allclose(weights[1:], attention.weights[1:], atol=1e-12)  # other rows untouched
    assert watched.errors == []


def test_reader_input_is_shown_as_text_never_as_markup(watched, site_url: str) -> None:
    page, _ = open_module(watched, site_url, "convolution-receptive-field/", "conv-calculator")
    page.locator("[data-module='conv-calculator'] textarea").fill('<img src=x onerror="window.pwned=1"> 3 1 1')
    page.locator("[data-module='conv-calculator'] .lab-module-error").wait_for()  # the rejection is shown
    page.wait_for_timeout(200)  # and an injected image, had there been one, would have loaded by now
    assert page.locator("[data-module='conv-calculator'] img").count() == 0
    assert page.evaluate("window.pwned === undefined")
    assert page.locator("[data-module='conv-calculator'] .lab-module-error").count() == 1
    assert watched.errors == []


# --- Accessible names, error states, the optimizer plot and colour contrast ------------------------

PAGES = {"gradient-checker": "mse-gradient/", "optimizer-paths": "optimizer-geometry/",
         "conv-calculator": "convolution-receptive-field/", "attention-heatmap": "attention-math/"}
CJK = re.compile(r"[\u4e00-\u9fff]")

# In the page: the colour a node is painted with, `property` composited over its ancestors'
# backgrounds down to the first opaque one, and WCAG contrast. Written here, apart from the modules'
# own code, so that the test does not trust what it checks.
PAINT = """
const rgba = (s) => { const v = s.match(/[\\d.]+/g).map(Number); return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
const blend = ([r, g, b, a], base) => [r, g, b].map((c, i) => a * c + (1 - a) * base[i]);
function backdrop(node) {
  const layers = [];
  for (let at = node; at; at = at.parentElement) {
    const c = rgba(getComputedStyle(at).backgroundColor);
    if (c[3] > 0) layers.push(c);
    if (c[3] >= 1) break;
  }
  return layers.reverse().reduce((base, c) => blend(c, base), [255, 255, 255]);
}
const linear = (x) => { x /= 255; return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
const lum = (c) => { const v = c.map(linear); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
const contrast = (a, b) => { const [h, l] = [lum(a), lum(b)].sort((x, y) => y - x); return (h + 0.05) / (l + 0.05); };
"""


def scheme(page, name: str) -> None:
    """Switch Material's palette as its toggle does, and let the page react to it."""
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{name}')")
    page.wait_for_timeout(50)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"


def accessible_names(page, selector: str) -> list[str]:
    """The names Chromium's accessibility tree gives the elements matching `selector`."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Accessibility.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    names = []
    for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]:
        backend = cdp.send("DOM.describeNode", {"nodeId": node})["node"]["backendNodeId"]
        ax = cdp.send("Accessibility.getPartialAXTree", {"backendNodeId": backend, "fetchRelatives": False})["nodes"]
        names.append(ax[0].get("name", {}).get("value", ""))
    cdp.detach()
    return names


@pytest.mark.parametrize("lang", ["", "zh/"])
@pytest.mark.parametrize("name", list(PAGES))
def test_every_control_has_a_spelled_out_localized_name(watched, site_url: str, lang: str, name: str) -> None:
    page, _ = open_module(watched, site_url, lang + PAGES[name], name)
    controls = f"[data-module='{name}'] :is(input, textarea, select, button)"
    names = accessible_names(page, controls)
    assert len(names) == page.locator(controls).count() > 0
    assert all(n.strip() for n in names), names
    assert len(set(names)) == len(names), names  # each control told apart from the others
    for n in names:
        assert bool(CJK.search(n)) == bool(lang), n  # in the page's language
    if name == "conv-calculator":
        expected = (["输入宽度 W", "卷积核大小 F", "填充 P", "步幅 S", "膨胀率 d"] if lang
                    else ["input width W", "kernel size F", "padding P", "stride S", "dilation d"])
        assert names[:5] == expected
    if name == "attention-heatmap":
        assert ("分数 S[1, 2]" if lang else "score S[1, 2]") in names
    if name == "gradient-checker":
        assert ("输入 x₁" if lang else "input x₁") in names
    assert watched.errors == []


def error_state(page, module: str, output: str) -> dict:
    """What the reader is shown: the messages, which inputs are marked invalid, whether the
    output is visible, and the alert box's role."""
    return {
        "messages": page.locator(f"{module} .lab-module-error").all_inner_texts(),
        "invalid": page.locator(f"{module} [aria-invalid='true']").evaluate_all(
            "nodes => nodes.map(n => n.getAttribute('aria-label') || n.id)"),
        "shown": page.locator(f"{module} {output}").first.is_visible(),
        "alert": page.locator(f"{module} [role='alert']").count(),
    }


@pytest.mark.parametrize("lang", ["", "zh/"])
def test_gradient_checker_says_what_is_wrong_and_hides_stale_results(watched, site_url: str, lang: str) -> None:
    page, module = open_module(watched, site_url, lang + "mse-gradient/", "gradient-checker")
    where = "[data-module='gradient-checker']"
    first = page.locator(f"{where} input").first
    label = first.get_attribute("aria-label")
    word = "错误" if lang else "Error"
    assert error_state(page, where, ".lab-module-output")["messages"] == []
    for text, marker in (("", "为空" if lang else "empty"), ("5000", "5000")):
        first.fill(text)
        state = error_state(page, where, ".lab-module-output")
        assert len(state["messages"]) == 1
        message = state["messages"][0]
        assert message.startswith(word)
        assert label in message
        assert marker in message
        assert "1000" in message  # the allowed range
        assert state["invalid"] == [label]
        assert not state["shown"]  # the last good results are not left on screen
        assert state["alert"] >= 1
        assert page.evaluate(f"{module}.labState.errors.length") == 1
        assert page.evaluate(f"{module}.labState.analytic") is None
    first.fill("3")
    assert error_state(page, where, ".lab-module-output") == {"messages": [], "invalid": [], "shown": True, "alert": 1}
    analytic = np.array(page.evaluate(f"{module}.labState.analytic"))
    np.testing.assert_allclose(analytic[:, 0], 3 * RESULTS["mse"].e[:, 0], atol=1e-12)
    assert watched.errors == []


@pytest.mark.parametrize("lang", ["", "zh/"])
def test_heatmap_rejects_empty_and_non_finite_scores(watched, site_url: str, lang: str) -> None:
    page, module = open_module(watched, site_url, lang + "attention-math/", "attention-heatmap")
    where = "[data-module='attention-heatmap']"
    cell = page.locator(f"{where} input[type=number]").nth(1)
    label = cell.get_attribute("aria-label")
    for text in ("", "1e999", "-5000"):
        cell.fill(text)
        state = error_state(page, where, ".lab-heatmap")
        assert len(state["messages"]) == 1, (text, state)
        assert label in state["messages"][0]
        assert state["invalid"] == [label]
        assert not state["shown"]
        assert page.evaluate(f"{module}.labState.weights") is None
    cell.fill("4")
    assert error_state(page, where, ".lab-heatmap") == {"messages": [], "invalid": [], "shown": True, "alert": 1}
    weights = np.array(page.evaluate(f"{module}.labState.weights"))
    row = np.exp(np.array([RESULTS["attention"].scores[0, 0], 4.0, RESULTS["attention"].scores[0, 2]]))
    np.testing.assert_allclose(weights[0], row / row.sum(), atol=1e-12)
    assert watched.errors == []


@pytest.mark.parametrize("lang", ["", "zh/"])
def test_conv_calculator_reports_impossible_sizes(watched, site_url: str, lang: str) -> None:
    page, module = open_module(watched, site_url, lang + "convolution-receptive-field/", "conv-calculator")
    where = "[data-module='conv-calculator']"
    fields = page.locator(f"{where} .lab-fields input")
    names = [fields.nth(i).get_attribute("aria-label") for i in range(5)]
    w, f, p, s, d = (int(fields.nth(i).input_value()) for i in range(5))
    cases = [  # field, text, the field named in the message, what the message must also say
        (0, "", 0, "为空" if lang else "is empty"),
        (2, "-1", 2, "0 到" if lang else "from 0"),  # negative padding
        (1, "2.5", 1, "不是整数" if lang else "not a whole number"),
        (1, str(w + 2 * p + 1), 1, f"W + 2P = {w + 2 * p}"),  # kernel wider than the padded input: no output
    ]
    for index, text, named, also in cases:
        fields.nth(index).fill(text)
        state = error_state(page, where, ".lab-module-output")
        assert len(state["messages"]) == 1, (text, state)
        assert names[named] in state["messages"][0]
        assert also in state["messages"][0].replace("\u00a0", " ")
        assert state["messages"][0].startswith("错误" if lang else "Error")
        wide = also.startswith("W + 2P")  # the width, padding, kernel and dilation together cause it
        assert state["invalid"] == ([names[i] for i in (0, 1, 2, 4)] if wide else [names[named]])
        assert not state["shown"]
        assert page.evaluate(f"{module}.labState.size") is None
        fields.nth(index).fill(str([w, f, p, s, d][index]))  # fixed again
        assert error_state(page, where, ".lab-module-output") == {"messages": [], "invalid": [], "shown": True,
                                                                  "alert": 2}
        size = page.evaluate(f"{module}.labState.size")
        assert size["out"] == (w - (d * (f - 1) + 1) + 2 * p) // s + 1
    stack = page.locator(f"{where} textarea")
    original = stack.input_value()
    stack.fill("3 1 1\n3 0 1")
    messages = page.locator(f"{where} .lab-module-error").all_inner_texts()
    assert len(messages) == 1
    assert ("第 2 行" if lang else "line 2") in messages[0]  # names the line
    assert stack.get_attribute("aria-invalid") == "true"
    assert not page.locator(f"{where} .lab-module-output table").is_visible()
    for spelled in ("0x3 1 1", "3e0 1 1", "3.0 1 1", "+3 1 1"):  # numbers, but not written whole
        stack.fill(spelled)
        assert page.locator(f"{where} .lab-module-error").count() == 1, spelled
    stack.fill(original)
    assert page.locator(f"{where} .lab-module-error").count() == 0
    assert page.evaluate(f"{module}.labState.fields") is not None
    # Six layers of the largest allowed sizes pass 2^53: every shown integer is exact.
    stack.fill("\n".join(["4096 4096 4096"] * 6))
    size, jump, shown = 1, 1, []
    for _ in range(6):
        size, jump = size + 4095 * 4096 * jump, jump * 4096
        shown.append([str(size), str(jump)])
    cells = page.locator(f"{where} .lab-module-output table tr").all()[1:]
    assert [[c.inner_text() for c in row.locator("td").all()[1:]] for row in cells] == shown
    assert watched.errors == []


@pytest.mark.parametrize("palette", ["default", "slate"])
def test_errors_look_like_errors_in_both_palettes(watched, site_url: str, palette: str) -> None:
    page, _ = open_module(watched, site_url, "zh/convolution-receptive-field/", "conv-calculator")
    scheme(page, palette)
    page.locator("[data-module='conv-calculator'] .lab-fields input").first.fill("")
    error = page.locator("[data-module='conv-calculator'] .lab-module-error")
    assert error.inner_text().startswith("错误")
    ratio, link_colour, colour = error.evaluate(PAINT + """(node) => {
        const link = getComputedStyle(document.querySelector('.md-typeset a')).color;
        return [contrast(blend(rgba(getComputedStyle(node).color), backdrop(node)), backdrop(node)), link,
                getComputedStyle(node).color];
    }""")
    assert ratio >= 4.5
    assert colour != link_colour
    assert error.evaluate("n => n.closest('[role=alert], [aria-live]') !== null")
    assert watched.errors == []


def hex_rgb(colour: str) -> list[int]:
    return [int(colour[i:i + 2], 16) for i in (1, 3, 5)]


@pytest.mark.parametrize("lang", ["", "zh/"])
def test_optimizer_plot_has_a_name_axes_markers_and_the_figures_styles(watched, site_url: str, lang: str) -> None:
    from lab.figures.optim import STYLES

    page, _ = open_module(watched, site_url, lang + "optimizer-geometry/", "optimizer-paths")
    where = "[data-module='optimizer-paths']"
    [name] = accessible_names(page, f"{where} svg[role=img]")
    assert len(name) > 20
    assert bool(CJK.search(name)) == bool(lang)
    texts = page.locator(f"{where} svg.lab-plot text").all_text_contents()
    for label in ("θ₁", "θ₂", "θ₀", "θ*"):
        assert label in texts
    assert page.locator(f"{where} .lab-tick-x").count() >= 3
    assert page.locator(f"{where} .lab-tick-y").count() >= 3
    assert sum(t.lstrip("−").replace(".", "").isdigit() for t in texts) >= 6  # tick values

    def centre(selector: str) -> np.ndarray:
        box = page.locator(f"{where} {selector}").first.evaluate(
            "n => { const b = n.getBBox(); return [b.x, b.y, b.width, b.height]; }")
        return np.array(box[:2]) + np.array(box[2:]) / 2

    def points(method: str) -> np.ndarray:
        return np.array([[float(v) for v in p.split(",")] for p in
                         page.locator(f"{where} .path-{method}").get_attribute("points").split()])

    np.testing.assert_allclose(centre(".lab-start"), points("gd")[0], atol=0.5)  # θ₀ where every path starts
    np.testing.assert_allclose(centre(".lab-optimum"), points("momentum")[-1], atol=1.0)  # θ* where momentum ends
    shapes = {"o": "circle", "s": "rect", "^": "path"}
    for palette in ("default", "slate"):
        scheme(page, palette)
        for method, style in STYLES.items():
            line = page.locator(f"{where} .path-{method}")
            stroke, dashes, mark, ratio = line.evaluate(PAINT + """(node) => {
                const s = getComputedStyle(node);
                const id = node.getAttribute('marker-mid').slice(5, -1);
                const ground = backdrop(node.closest('svg'));
                return [s.stroke, s.strokeDasharray, document.getElementById(id).firstElementChild.tagName,
                        contrast(rgba(s.stroke), ground)];
            }""")
            assert rgba_list(stroke) == hex_rgb(style["color"])  # the static figure's colour
            assert (dashes == "none") == (style["linestyle"] == "-")
            assert mark == shapes[style["marker"]]
            assert ratio >= 3, (method, palette, ratio)
        axes = page.locator(f"{where} .lab-axes").evaluate(PAINT + """(node) => {
            const s = getComputedStyle(node);
            const ground = backdrop(node.closest('svg'));
            const c = rgba(s.stroke);
            return contrast(blend([c[0], c[1], c[2], c[3] * Number(s.strokeOpacity)], ground), ground);
        }""")
        assert axes >= 3, (palette, axes)
    dash_patterns = {page.locator(f"{where} .path-{m}").evaluate("n => getComputedStyle(n).strokeDasharray")
                     for m in STYLES}
    assert len(dash_patterns) == len(STYLES)  # three different line styles
    assert watched.errors == []


def rgba_list(text: str) -> list[int]:
    return [round(float(v)) for v in re.findall(r"[\d.]+", text)[:3]]


@pytest.mark.parametrize("lang", ["", "zh/"])
def test_heatmap_cells_are_readable_in_both_palettes(watched, site_url: str, lang: str) -> None:
    page, _ = open_module(watched, site_url, lang + "attention-math/", "attention-heatmap")
    where = "[data-module='attention-heatmap']"
    worst = []
    for causal in (False, True):
        page.locator(f"{where} input[type=checkbox]").set_checked(causal)
        for palette in ("default", "slate"):
            scheme(page, palette)
            cells = page.locator(f"{where} table.lab-heatmap td:not(:empty)")  # the corner cell has no text
            ratios = cells.evaluate_all(PAINT + """(cells) => cells.map((cell) => {
                const ground = backdrop(cell);
                return contrast(blend(rgba(getComputedStyle(cell).color), ground), ground);
            })""")
            assert len(ratios) == 9
            worst.append(min(ratios))
    assert min(worst) >= 4.5, worst
    assert watched.errors == []

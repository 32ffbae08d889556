"""The interactive modules compute in JavaScript what the NumPy lab computes, for the lab's own
inputs, and keep doing so when a reader edits them. User input is only ever shown as text."""

from __future__ import annotations

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

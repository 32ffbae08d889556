"""The lab code pages show: each clear version takes the same steps as the speed-tuned one the lab
runs, and lab_source refuses code wider than a page shows without scrolling at 1280 px."""

from __future__ import annotations

import inspect
import textwrap

import numpy as np
import pytest

from lab import conv, registry, spiral
from macros.check.page_macros import SOURCE_COLUMNS
from macros.check.render import render_page
from macros.engine.claims import ERROR, OK


def test_clear_training_loop_takes_the_same_steps_as_the_speed_tuned_one() -> None:
    rng = np.random.default_rng(7)
    X, y = spiral.make_spiral(rng, n_per_class=30)
    params = spiral.init_params(rng, (2, 20, 3))
    params = {name: 30 * value for name, value in params.items()}  # away from the ReLU kinks
    checkpoints = (0, 2, 5)
    clear = spiral.train_net_clear(params, X, y, 5, step=0.5, reg=1e-2, checkpoints=checkpoints)
    tuned = spiral.train_net(params, X, y, 5, step=0.5, reg=1e-2, checkpoints=checkpoints)
    assert clear.accuracy.keys() == tuned.accuracy.keys() == set(checkpoints)
    assert clear.accuracy == tuned.accuracy
    np.testing.assert_allclose(clear.losses, tuned.losses, rtol=1e-13)
    for name in params:
        scale = np.max(np.abs(tuned.params[name]))
        np.testing.assert_allclose(clear.params[name], tuned.params[name], rtol=1e-12, atol=1e-13 * scale)
        assert not np.array_equal(clear.params[name], params[name])  # it did train


CONV_CASES = [  # (n, c, h, w, f, stride, pad, dilation)
    (2, 3, 7, 7, 3, 2, 1, 2),
    (1, 2, 5, 6, 3, 1, 1, 1),
    (2, 1, 8, 5, 2, 3, 0, 1),
    (1, 1, 5, 5, 3, 1, 0, 1),
]


@pytest.mark.parametrize(("n", "c", "h", "w", "f", "stride", "pad", "dilation"), CONV_CASES)
def test_clear_im2col_and_col2im_agree_with_the_speed_tuned_ones(n: int, c: int, h: int, w: int, f: int,
                                                                  stride: int, pad: int, dilation: int) -> None:
    rng = np.random.default_rng(n * 100 + h)
    x = rng.standard_normal((n, c, h, w))
    cols = conv.im2col(x, f, stride, pad, dilation)
    np.testing.assert_array_equal(conv.im2col_clear(x, f, stride, pad, dilation), cols)  # copies: exact
    g = rng.standard_normal(cols.shape)
    np.testing.assert_allclose(conv.col2im_clear(g, x.shape, f, stride, pad, dilation),
                               conv.col2im(g, x.shape, f, stride, pad, dilation), rtol=1e-13, atol=1e-14)


def _render(body: str):
    return render_page("docs/en/p.md", "en/p.md", body, {})


def _widest(obj) -> tuple[int, int]:
    lines, first = inspect.getsourcelines(obj)
    widths = [len(line) for line in textwrap.dedent("".join(lines)).splitlines()]
    return first + widths.index(max(widths)), max(widths)


def test_lab_source_refuses_code_wider_than_the_column() -> None:
    line, width = _widest(registry.experiment)
    assert width > SOURCE_COLUMNS  # the example: a lab function with one long docstring line
    output, claims = _render('text\n{{ lab_source("lab.registry.experiment") }}\n')
    assert [(c.line, c.verdict) for c in claims] == [(2, ERROR)]
    assert f"lab/registry.py:{line} ({width})" in claims[0].message
    assert "```python" not in output


def test_lab_source_shows_code_that_fits() -> None:
    assert _widest(spiral.train_net)[1] <= SOURCE_COLUMNS
    output, claims = _render('{{ lab_source("lab.spiral.train_net") }}\n')
    assert all(c.verdict == OK for c in claims)
    assert output.startswith('```python title="lab/spiral.py"')

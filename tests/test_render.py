"""Rendering pages with the lab macros outside MkDocs: claims, lines and problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.registry import run_all
from macros.check.render import render_page
from macros.check.site import check_site
from macros.engine.claims import ERROR, OK, STALE

RESULTS = run_all()
FRONT = "---\ntitle: t\n---\n\n"


def render(body: str, front: str = FRONT):
    return render_page("docs/en/p.md", "en/p.md", front + body, RESULTS)


def test_value_prints_in_the_requested_format() -> None:
    output, claims = render('W00={{ value("mse.grad_W[0,0]", ".6f") }} L={{ value("mse.loss", ".1%") }}\n')
    assert output == "W00=0.300000 L=80.1%\n"
    assert [c.verdict for c in claims] == [OK, OK]


def test_value_prints_vectors_in_brackets() -> None:
    output, _ = render('{{ value("mse.grad_W", ".2f") }}')
    assert output == "[[0.30, -0.40, 0.10], [1.88, -2.50, 0.62]]"


def test_check_prints_the_written_text_and_records_its_line_after_front_matter() -> None:
    output, claims = render('a\nb\nrow {{ check("mse.grad_W[1]", "[1.875, −2.500, 0.625]") }}\n')
    assert output == "a\nb\nrow [1.875, −2.500, 0.625]\n"
    assert (claims[0].line, claims[0].verdict, claims[0].key) == (7, OK, "mse.grad_W[1]")


def test_stale_check_reports_written_and_lab_values() -> None:
    output, claims = render('x\n{{ check("mse.grad_W[0,0]", "0.312") }}\n', front="")
    assert claims[0].verdict == STALE
    assert claims[0].describe() == "docs/en/p.md:2: written 0.312, lab 0.300 (mse.grad_W[0,0])"
    assert "stale" in output


def test_every_problem_on_a_page_is_reported() -> None:
    body = ('{{ check("mse.loss", "0.9") }}\n{{ value("mse.nope") }}\n{{ check("mse.x", "0.5") }}\n'
            '{{ check("mse.loss", "zero") }}\n{{ value("mse.loss", "!r") }}\n{{ figure("nope", "c") }}\n'
            '{{ table("nope.csv") }}\n{{ lab_source("os.system") }}\n')
    _, claims = render(body, front="")
    assert [(c.line, c.verdict) for c in claims] == [(1, STALE)] + [(n, ERROR) for n in range(2, 9)]
    assert "'0.5' has shape () but mse.x has shape (3, 1)" in claims[2].message


def test_template_errors_are_located() -> None:
    _, claims = render("one\ntwo {{ nope }}\n")
    assert (claims[-1].line, claims[-1].verdict) == (6, ERROR)
    assert "'nope' is undefined" in claims[-1].message
    _, claims = render("one\n{{ value( }}\n", front="")
    assert (claims[-1].line, claims[-1].verdict) == (2, ERROR)


def problems_of(body: str) -> list[tuple[int, str]]:
    """(line, first words of the message) of every problem on a page with no front matter."""
    _, claims = render(body, front="")
    return sorted((c.line, c.message.split(";")[0]) for c in claims if c.verdict != OK)


@pytest.mark.parametrize(("body", "expected"), [
    ('{{ check("mse.loss", "0.9") }} and {{ nothing }}\n',
     [(1, "UndefinedError: 'nothing' is undefined"), (1, "written 0.9, lab 0.8 (mse.loss)")]),
    ("{{ one }} and {{ two }}\n",
     [(1, "UndefinedError: 'one' is undefined"), (1, "UndefinedError: 'two' is undefined")]),
    ('{{ one + two }} {{ check("mse.loss", "0.9") }}\n',
     [(1, "UndefinedError: 'one' is undefined"), (1, "UndefinedError: 'two' is undefined"),
      (1, "written 0.9, lab 0.8 (mse.loss)")]),
    ('{{ check("mse.loss") }} {{ check("mse.loss", "0.7") }} {{ value(1, 2, 3, 4) }}\n',
     [(1, "TypeError: PageMacros.check() missing 1 required positional argument: 'written'"),
      (1, "TypeError: PageMacros.value() takes from 2 to 3 positional arguments but 5 were given"),
      (1, "written 0.7, lab 0.8 (mse.loss)")]),
    ('a {{ check("mse.loss", "0.9" }}\nb {{ check("mse.loss", "0.7") }}\nc {{ nope }}\n',
     [(1, "TemplateSyntaxError: unexpected '}', expected ')'"), (2, "written 0.7, lab 0.8 (mse.loss)"),
      (3, "UndefinedError: 'nope' is undefined")]),
    ('{% for x in [1] %}\na {{ check("mse.loss", "0.9" }}\n{% endfor %}\nb {{ check("mse.loss", "0.7") }}\n',
     [(2, "TemplateSyntaxError: unexpected '}', expected ')'"), (4, "written 0.7, lab 0.8 (mse.loss)")]),
])
def test_one_problem_never_hides_another_on_its_line_or_page(body: str, expected: list[tuple[int, str]]) -> None:
    assert problems_of(body) == sorted(expected)


def test_a_syntax_error_is_reported_where_the_broken_expression_opens_and_only_there() -> None:
    # An expression left open runs into the next lines: Jinja trips over a later line, but the
    # mistake is the line that opened it, and the lines after are not blamed for it.
    assert problems_of('{{ check("mse.loss", "0.9")\nplain text\nmore {{ check("mse.loss", "0.7") }}\n') == [
        (1, "TemplateSyntaxError: expected token 'end of print statement', got 'plain'")]
    # A broken, stray or unclosed block tag is set aside with the tags of its block, and the rest is checked.
    assert problems_of('{% if %}\n{{ check("mse.loss", "0.7") }}\n{% else %}\nx\n{% endif %}\n') == [
        (1, "TemplateSyntaxError: Expected an expression, got 'end of statement block'"),
        (2, "written 0.7, lab 0.8 (mse.loss)")]
    assert problems_of('a {{ check("mse.loss", "0.9") }}\nStray {% endif %} here.\n') == [
        (1, "written 0.9, lab 0.8 (mse.loss)"), (2, "TemplateSyntaxError: Encountered unknown tag 'endif'.")]
    unclosed = problems_of('{% if true %}\na\n{{ check("mse.loss", "0.9") }}\nb\nc\nd\n')
    assert [(line, message[:52]) for line, message in unclosed] == [
        (1, "TemplateSyntaxError: Unexpected end of template. Jin"), (3, "written 0.9, lab 0.8 (mse.loss)")]


def test_a_page_that_cannot_be_rendered_is_not_compared_with_its_other_language(tmp_path: Path) -> None:
    keys = "".join(f'{{{{ check("mse.grad_W[0,{j}]", "{v}") }}}}\n' for j, v in enumerate(["0.300", "-0.400"]))
    pages = {"en": keys, "zh": '{{ check("mse.loss", "0.801")\n' + keys}  # an expression never closed
    for lang, text in pages.items():
        (tmp_path / "docs" / lang).mkdir(parents=True)
        (tmp_path / "docs" / lang / "p.md").write_text(text)
    problems = check_site(tmp_path / "docs", RESULTS, root=tmp_path).problems
    assert [c.describe().split(":")[:2] for c in problems] == [["docs/zh/p.md", "1"]]
    assert "TemplateSyntaxError" in problems[0].message


@pytest.mark.parametrize(("call", "message"), [
    ('check("mse.loss", "0.' + "8" * 200 + '")',
     'check("mse.loss", "0.88888888888888888888888888888888888888… (202 characters)"): the number has 200 '
     "significant digits; a lab value carries about 16, so write at most 17"),
    ('check("mse.loss", "1e-100000")', 'check("mse.loss", "1e-100000"): the number is outside the range of a lab '
     "value (a power of ten between -330 and 330); write the number the lab computes"),
    ('below("mse.loss", "1e999")', 'below("mse.loss", "1e999"): the number is outside the range'),
    ('check("mse.loss", "0.801e99999999999999")', 'check("mse.loss", "0.801e99999999999999"): the number is outside'),
    ('check("mse.loss", 0.801)', 'check(): written must be text in quotes, like "0.801"; got 0.801 (float)'),
    ('check(1, "0.8")', 'check(): key must be text in quotes, like "mse.loss"; got 1 (int)'),
    ('value("mse.loss", 5)', 'value(): fmt must be text in quotes, like ".6f"; got 5 (int)'),
    ('figure(3, "c")', 'figure(): name must be text in quotes, like "mse-outer-product"; got 3 (int)'),
    ('check("mse.loss", "0.801", tol=-1)', 'check("mse.loss", "0.801"): tol=-1 must be a finite number above 0'),
    ('approx("mse.loss", "0.8", rel=-1)', 'approx("mse.loss", "0.8"): rel=-1 must be a finite number above 0'),
    ('approx("mse.loss", "0.8", tol=True)', 'approx("mse.loss", "0.8"): tol=True is not a number'),
])
def test_odd_literals_and_arguments_are_located_messages_with_the_rule(call: str, message: str) -> None:
    output, claims = render("{{ " + call + " }}\n", front="")
    assert [(c.line, c.verdict) for c in claims] == [(1, ERROR)]
    assert claims[0].message.startswith(message)
    assert "⚠" in output


def test_a_literal_far_below_the_lab_value_is_compared_not_refused() -> None:
    _, claims = render('{{ check("mse.loss", "1e-30") }}\n', front="")
    assert [c.verdict for c in claims] == [STALE]
    assert claims[0].message.startswith("written 1e-30, lab 0.80125000000000000000")
    _, claims = render('{{ check("mse.loss", "0.801", tol=1e400) }}\n', front="")  # Jinja writes 1e400 as inf
    assert [c.message for c in claims] == ["NameError: name 'inf' is not defined; a number in a Jinja expression is "
                                           "beyond a float's range (such as 1e400): write a smaller one"]


def test_a_call_with_an_undefined_argument_is_reported_once() -> None:
    _, claims = render('{{ check("mse.loss", "0.801", tol=float("nan")) }}\n', front="")
    assert [c.message.split(";")[0] for c in claims] == ["UndefinedError: 'float' is undefined"]


def test_lab_source_shows_the_real_function_with_its_line_numbers() -> None:
    output, _ = render('{{ lab_source("lab.gradcheck.rel_error") }}', front="")
    source = (Path(__file__).parent.parent / "lab" / "gradcheck.py").read_text().splitlines()
    first = source.index(next(line for line in source if line.startswith("def rel_error"))) + 1
    assert output.startswith(f'```python title="lab/gradcheck.py" linenums="{first}"\ndef rel_error(')


def test_figure_and_table_link_relative_to_the_page() -> None:
    body = '{{ figure("mse-outer-product", "A *caption*") }}\n{{ table("gradient-check-results.csv") }}'
    output, _ = render(body, front="")
    assert "](../assets/lab/figures/mse-outer-product.svg#only-light)" in output
    assert "](../assets/lab/figures/mse-outer-product.dark.svg#only-dark)" in output
    assert "| W | W11 | -2.500000 | -2.500000 |" in output
    assert "(../assets/lab/gradient-check-results.csv)" in output


def test_check_site_requires_every_page_in_every_language(tmp_path: Path) -> None:
    for lang in ("en", "zh"):
        (tmp_path / "docs" / lang).mkdir(parents=True)
        (tmp_path / "docs" / lang / "index.md").write_text("# hi\n")
    (tmp_path / "docs" / "en" / "extra.md").write_text("# only English\n")
    report = check_site(tmp_path / "docs", RESULTS, root=tmp_path)
    assert [c.describe() for c in report.problems] == [
        "docs/en/extra.md:1: no translation in 'zh': create docs/zh/extra.md"]


def test_check_command_reports_and_exits_nonzero_on_a_stale_number(tmp_path: Path) -> None:
    import subprocess
    import sys

    for lang, number in (("en", "0.300"), ("zh", "0.301")):
        (tmp_path / "docs" / lang).mkdir(parents=True)
        (tmp_path / "docs" / lang / "a.md").write_text(f'x\n{{{{ check("mse.grad_W[0,0]", "{number}") }}}}\n')
    root = Path(__file__).parent.parent
    result = subprocess.run([sys.executable, "-m", "macros", "check", "--docs", str(tmp_path / "docs")],
                            cwd=root, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "docs/zh/a.md:2: written 0.301, lab 0.300 (mse.grad_W[0,0])" in result.stderr
    clean = subprocess.run([sys.executable, "-m", "macros", "check"], cwd=root, capture_output=True,
                           text=True, check=False)
    assert clean.returncode == 0, clean.stderr
    assert "0 problem(s)" in clean.stdout


def test_both_languages_must_cite_the_same_lab_keys(tmp_path: Path) -> None:
    pages = {"en": 'a\n{{ check("mse.loss", "0.80125") }} {{ value("mse.grad_W[0,0]") }}\n',
             "zh": 'a\n{{ check("mse.loss", "0.80125") }}\n'}
    for lang, text in pages.items():
        (tmp_path / "docs" / lang).mkdir(parents=True)
        (tmp_path / "docs" / lang / "p.md").write_text(text)
    problems = check_site(tmp_path / "docs", RESULTS, root=tmp_path).problems
    assert [c.describe() for c in problems] == [
        "docs/en/p.md:2: cites mse.grad_W[0,0], but the 'zh' version of this page does not; "
        "both languages must show the same lab numbers"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_a_lab_value_that_is_not_finite_is_an_error_not_a_number(bad: float) -> None:
    import dataclasses

    results = {**RESULTS, "mse": dataclasses.replace(RESULTS["mse"], loss=bad)}
    for body in ('{{ check("mse.loss", "0.801") }}\n', '{{ value("mse.loss") }}\n'):
        output, claims = render_page("docs/en/p.md", "en/p.md", body, results)
        assert [(c.line, c.verdict) for c in claims] == [(1, ERROR)]
        assert f"lab value mse.loss is not finite ({bad})" in claims[0].message
        assert output.startswith("**⚠")  # shown as a problem, never printed as if it were a number


def test_approx_checks_within_its_stated_tolerance() -> None:
    loss = RESULTS["mse"].loss  # 0.80125
    output, claims = render('about {{ approx("mse.loss", "0.8", tol=0.01) }}, roughly '
                            '{{ approx("mse.loss", "0.85", rel=0.1) }}\n', front="")
    assert output == "about 0.8, roughly 0.85\n"
    assert [(c.kind, c.verdict, c.tolerance) for c in claims] == [("approx", OK, "0.01"), ("approx", OK, "10%")]
    assert abs(loss - 0.8) <= 0.01
    assert abs(loss - 0.85) <= 0.085


def test_approx_outside_its_tolerance_is_stale_with_the_bound_in_the_message() -> None:
    _, claims = render('{{ approx("mse.loss", "0.7", tol=0.05) }}\n', front="")
    assert claims[0].verdict == STALE
    assert claims[0].describe() == "docs/en/p.md:1: written 0.7 (±0.05), lab 0.8013 (mse.loss)"


@pytest.mark.parametrize(("call", "message"), [
    ('approx("mse.loss", "0.8")', "needs exactly one of tol="),
    ('approx("mse.loss", "0.8", tol=0.1, rel=0.1)', "needs exactly one of tol="),
    ('approx("mse.loss", "0.8", tol=-1)', "tol=-1 must be a finite number above 0"),
    ('check("mse.loss", "0.8", tol=0)', "tol=0 must be a finite number above 0"),
    ('approx("mse.loss", "0.8", rel=2)', "rel=2 must be a finite number above 0 and below 1"),
    ('approx("mse.loss", "0.8", tol="0.1")', "tol='0.1' is not a number"),
])
def test_approx_and_check_refuse_unusable_tolerances(call: str, message: str) -> None:
    _, claims = render("x\n{{ " + call + " }}\n", front="")
    assert [(c.line, c.verdict) for c in claims] == [(2, ERROR)]
    assert message in claims[0].message


def test_below_checks_an_upper_bound_and_prints_it() -> None:
    output, claims = render('errors below {{ below("mse.rel_error_W", "1e-6") }}\n', front="")
    assert output == "errors below 1e-6\n"
    assert [(c.kind, c.verdict, c.tolerance) for c in claims] == [("below", OK, "<1e-6")]
    _, claims = render('x\n{{ below("mse.loss", "0.5") }}\n', front="")
    assert (claims[0].line, claims[0].verdict) == (2, STALE)
    assert claims[0].message == "written below 0.5, lab 0.801 (mse.loss): raise the bound or fix the lab"
    _, claims = render('{{ below("mse.loss", "small") }}\n', front="")
    assert claims[0].verdict == ERROR


def test_a_table_with_machine_dependent_columns_says_so_in_the_page_language() -> None:
    from lab.tables import TOLERANCES

    assert "net_loss" in TOLERANCES["spiral-training.csv"]
    output, _ = render_page("docs/en/p.md", "en/p.md", '{{ table("spiral-training.csv") }}', RESULTS)
    assert output.endswith("On another machine these columns may differ, within the stated bounds: "
                           "two-layer network: loss (`net_loss`, ±2e-5).")
    output, _ = render_page("docs/zh/p.md", "zh/p.md", '{{ table("spiral-training.csv") }}', RESULTS)
    assert output.endswith("在其他机器上，以下各列的数值可能略有不同，但不会超出标注的范围："
                           "两层网络：损失（`net_loss`，±2e-5）。")
    output, _ = render_page("docs/en/p.md", "en/p.md", '{{ table("matmul-gradient-checks.csv") }}', RESULTS)
    assert "largest gap between layouts (`max_gap`, both below 1e-13)" in output
    output, _ = render_page("docs/en/p.md", "en/p.md", '{{ table("optimizer-path.csv") }}', RESULTS)
    assert "another machine" not in output



@pytest.mark.parametrize(("call", "message"), [
    ('approx("conv.loss", "0", tol=1e9)', "as large as '0' itself"),
    ('approx("mse.loss", "5", tol=100)', "as large as '5' itself"),
    ('check("mse.loss", "0.8", tol=1)', "as large as '0.8' itself"),
    ('below("mse.loss", "0")', "the bound must be a finite number above 0"),
    ('below("mse.loss", "1e9999")', "outside the range of a lab value"),
    ('approx("mse.loss", "0.8", tol=10**400)', "must be a finite number above 0"),
])
def test_tolerances_and_bounds_that_check_nothing_are_refused(call: str, message: str) -> None:
    _, claims = render("{{ " + call + " }}\n", front="")
    assert [c.verdict for c in claims] == [ERROR]
    assert message in claims[0].message


def test_below_bounds_the_size_of_a_signed_value_and_speaks_in_percent_when_written_so() -> None:
    _, claims = render('{{ below("mse.grad_W[1,1]", "1") }}\n', front="")  # -2.5: its size is above 1
    assert claims[0].verdict == STALE
    _, claims = render('{{ below("mse.loss", "70%") }}\n', front="")
    assert claims[0].message == "written below 70%, lab 80.1% (mse.loss): raise the bound or fix the lab"


def test_claim_lines_agree_with_jinja_on_a_long_page_with_blocks_and_joined_calls() -> None:
    """The binary-search line table gives the line Jinja's own lookup gives, for every call."""
    import jinja2

    from macros.check.page_macros import corresponding_line

    body = "".join(f"p{i}\n{{{{ check('mse.loss', '0.801') }}}} {{% if true %}}\nx{{{{ 'a' ~ value('mse.loss') }}}}\n"
                   f"{{% endif %}}\n\n" for i in range(300))
    template = jinja2.Environment().from_string(body)
    code_lines = sorted({code for _, code in template.debug_info})
    for code in [0, *code_lines, code_lines[-1] + 5, *(c + 1 for c in code_lines)]:
        assert corresponding_line(template, code) == template.get_corresponding_lineno(code)
    _, claims = render(body, front="")
    assert [c.line for c in claims if c.kind == "check"] == [2 + 5 * i for i in range(300)]
    assert [c.line for c in claims if c.kind == "value"] == [3 + 5 * i for i in range(300)]


@pytest.mark.parametrize(("sentence", "problem"), [
    ("It shortens the step {{ check('optim.adam_s_step_ratio_at_fade', '4.8', times='shortens') }} times.", ""),
    ("It lengthens the step {{ check('optim.adam_s_step_ratio_at_fade', '4.8', times='lengthens') }} times.",
     "the sentence says 'lengthens', but the lab ratio (new over old) is 0.2075"),
    ("Nevertheless it is {{ check('optim.adam_s_step_ratio_at_fade', '4.8', times='less') }} times.",
     "the claim says 'less', but its sentence does not"),
    ("{% set w = 'shortens' %}The step is {{ check('optim.adam_s_step_ratio_at_fade', '4.8', times='shortens') }} x.",
     "the claim says 'shortens', but its sentence does not"),
    ("它让步长缩短为原来的 1/{{ check('optim.adam_s_step_ratio_at_fade', '4.8', times='缩短') }}。", ""),
    ("它让步长缩短为原来的 1/{{ check('optim.adam_s_step_ratio_at_fade', '4.8', times='shorter') }}。",
     "the claim says 'shorter', but its sentence does not"),
    ("The correction shortens nothing at that step. Instead it makes the step\n"
     "{{ check('optim.adam_s_step_ratio_at_fade', '4.8', times='shortens') }} times longer.",
     "the claim says 'shortens', but its sentence does not"),
    ("It does <abbr title='it shortens'>not</abbr> make the step {{ check('optim.adam_s_step_ratio_at_fade', '4.8', "
     "times='shortens') }} times shorter.", "the claim says 'shortens', but its sentence does not"),
    ("步长并不缩短，反而变长为原来的 {{ check('optim.adam_s_step_ratio_at_fade', '4.8', times='缩短') }} 倍。",
     "the claim says '缩短', but its sentence negates it"),
    ("It does not shorten the step: it shortens it {{ check('optim.adam_s_step_ratio_at_fade', '4.8', "
     "times='shortens') }} times.", ""),
    ("Making s larger, it shortens the step {{ check('optim.adam_s_step_ratio_at_fade', '4.8', times='shortens') }} "
     "times, and lengthens nothing.", ""),
    ("It shortens, or rather lengthens, the step {{ check('optim.adam_s_step_ratio_at_fade', '4.8', "
     "times='shortens') }} times.", "the claim says 'shortens', but its clause says 'lengthens'"),
    ("It rises by {{ check('optim.adam_s_step_ratio_at_fade', '0.2075', by='rises') }}.", ""),
    ("It falls by {{ check('optim.adam_s_step_ratio_at_fade', '0.2075', by='falls') }}.",
     "the sentence says 'falls', but the lab change (new minus old) is 0.2075"),
    ("It goes {{ check('optim.adam_s_step_ratio_at_fade', '4.8', times='sideways') }}.",
     "'sideways' is not a direction word"),
])
def test_a_direction_word_is_part_of_the_claim(sentence: str, problem: str) -> None:
    _, claims = render(sentence + "\n")
    messages = [c.message for c in claims if c.verdict != OK]
    if problem:
        assert len(messages) == 1
        assert messages[0].startswith(problem)
    else:
        assert messages == []


def test_frame_lines_agree_with_python_in_a_long_function() -> None:
    import sys

    from macros.check.page_macros import frame_line

    seen = []
    source = "def long(record):\n" + "".join(f"    x{i} = {i}\n    record(sys._getframe())\n" for i in range(500))
    namespace = {"sys": sys}
    exec(compile(source, "<long>", "exec"), namespace)
    namespace["long"](lambda frame: seen.append((frame_line(frame), frame.f_lineno)))
    assert [ours for ours, _ in seen] == [python for _, python in seen] == [3 + 2 * i for i in range(500)]


def test_a_wrong_key_in_one_language_is_not_blamed_on_the_other(tmp_path: Path) -> None:
    pages = {"en": '{{ check("mse.los", "0.801") }}\n{{ check("mse.grad_W[0,0]", "0.300") }}\n',
             "zh": '{{ check("mse.loss", "0.801") }}\n{{ check("mse.grad_W[0,0]", "0.300") }}\n'}
    for lang, text in pages.items():
        (tmp_path / "docs" / lang).mkdir(parents=True)
        (tmp_path / "docs" / lang / "p.md").write_text(text)
    problems = check_site(tmp_path / "docs", RESULTS, root=tmp_path).problems
    assert [(c.page, c.line) for c in problems] == [("docs/en/p.md", 1)]
    assert "'mse' has no value 'los'" in problems[0].message

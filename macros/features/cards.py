"""Share cards: a 1200×630 PNG per article and per route, for Open Graph and Twitter previews.

Drawn with matplotlib in a CJK-capable font installed on the machine (Debian's
``fonts-wqy-microhei``; ``make`` installs it), never downloaded at build time. A card's file name
ends with a hash of everything drawn on it, so an unchanged card is never redrawn and a changed
one gets a new URL that social networks will fetch afresh.
"""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from lab.runner.parallel import run_parallel
from lab.runner.stamp import write_if_changed
from macros.engine.claims import Report
from macros.features.ui_text import ui

WIDTH, HEIGHT, DPI = 1200, 630, 100
FONT_FILES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
BACKGROUND, ACCENT, INK, MUTED = "#1a237e", "#8c9eff", "#ffffff", "#c5cae9"


class CardError(RuntimeError):
    """No font that can draw Chinese: the message says how to install one."""


@dataclass(frozen=True)
class Card:
    lang: str
    slug: str
    site: str
    title: str
    subtitle: str
    footer: str

    def file_name(self) -> str:
        digest = hashlib.sha256("\0".join((self.site, self.title, self.subtitle, self.footer)).encode())
        return f"{self.lang}-{self.slug}-{digest.hexdigest()[:10]}.png"


def site_cards(report: Report) -> list[Card]:
    """A share card for every article and every route, in every language."""
    model, cards = report.site, []
    for lang, articles in model.articles.items():
        site = ui(lang, "site")
        for slug, article in articles.items():
            route = model.route_of(slug)
            facts = [model.levels[article.level][lang], ui(lang, "reading", minutes=article.minutes),
                     ui(lang, "recomputed", n=report.recomputed(f"docs/{lang}/{slug}.md"))]
            if route is not None:
                facts.insert(0, route.title[lang])
            cards.append(Card(lang, slug, site, article.title, article.description, " · ".join(facts)))
        for route in model.routes:
            footer = f"{model.levels[route.level][lang]} · {ui(lang, 'steps', n=len(route.steps))}"
            cards.append(Card(lang, f"route-{route.id}", site, route.title[lang], route.summary[lang], footer))
    return cards


def card_source(card: Card) -> str | None:
    """The page a share card shows: an article's, or None for a route's (its texts are site data)."""
    return None if card.slug.startswith("route-") else f"docs/{card.lang}/{card.slug}.md"


FALLBACK_FAMILY = "DejaVu Sans"
"""Ships with matplotlib; draws what the CJK font lacks, such as the superscript in xᵀ."""


def cjk_font() -> Path:
    for path in FONT_FILES:
        if path.is_file():
            return path
    raise CardError("no CJK font for the share cards: install Debian's fonts-wqy-microhei "
                    "(`make system-deps`, or `apt-get install fonts-wqy-microhei` as root)")


_NO_LINE_START = set("，。：；、！？）」』”,.:;!?)")


_ZH_TOKEN = r"[A-Za-z0-9_.+\-√]+(?:,[0-9]+)*|\s|."
"""What a Chinese line never breaks inside: a Latin word, or a number with its thousands separators."""


def _wrap(text: str, lang: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns (a Han character takes two): English breaks at spaces;
    Chinese between characters, never inside a Latin word or before closing punctuation."""
    if lang != "zh":
        return textwrap.wrap(text, width)
    tokens = re.findall(_ZH_TOKEN, text)
    lines, line, used = [], "", 0
    for token in tokens:
        size = sum(2 if ord(c) > 0x2E7F else 1 for c in token)
        if used + size > width and line.strip() and token not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used = "", 0
            if token.isspace():
                continue
        line, used = line + token, used + size
    return [*lines, line.rstrip()] if line.strip() else lines


def _columns(text: str) -> int:
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def clip(text: str, lang: str, width: int, count: int) -> list[str]:
    """At most ``count`` lines of ``text``; when it is longer, the last line ends with "…". Whole
    words (and whole numbers) are dropped to make room, never cut: a card never shows 2,2… for 2,200."""
    lines = _wrap(text, lang, width)
    if len(lines) <= count:
        return lines
    tokens = re.findall(_ZH_TOKEN, lines[count - 1]) if lang == "zh" else \
        re.findall(r"\S+|\s+", lines[count - 1])
    while tokens and (_columns("".join(tokens).rstrip()) + 1 > width or tokens[-1].isspace()
                      or tokens[-1] in _NO_LINE_START | {"（", "“", "("}):
        tokens.pop()
    return [*lines[: count - 1], "".join(tokens).rstrip(" ,，、：:;；") + "…"]


def draw(card: Card) -> bytes:
    """The card as PNG bytes, identical from run to run for the same inputs and versions."""
    import matplotlib
    from matplotlib.font_manager import FontProperties, fontManager, get_font

    from lab.plotting import pyplot

    plt = pyplot()  # every text below sets its own size, so the figures' rc settings change nothing here

    cjk = get_font(str(cjk_font())).family_name
    if cjk not in {entry.name for entry in fontManager.ttflist}:
        fontManager.addfont(str(cjk_font()))
    font = FontProperties(family=[cjk, FALLBACK_FAMILY])  # per-glyph fallback
    fig = plt.figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor=BACKGROUND)
    fig.patches.append(matplotlib.patches.Rectangle((0.05, 0.80), 0.08, 0.012, transform=fig.transFigure,
                                                    facecolor=ACCENT, edgecolor="none"))
    fig.text(0.05, 0.86, card.site, fontproperties=font, fontsize=22, color=MUTED)
    title_lines = clip(card.title, card.lang, 36 if card.lang == "zh" else 34, 3)
    y = 0.70
    for line in title_lines:
        fig.text(0.05, y, line, fontproperties=font, fontsize=44, color=INK, va="top")
        y -= 0.12
    for line in clip(card.subtitle, card.lang, 80, 2):
        fig.text(0.05, y - 0.03, line, fontproperties=font, fontsize=20, color=MUTED, va="top")
        y -= 0.06
    fig.text(0.05, 0.07, card.footer, fontproperties=font, fontsize=18, color=ACCENT)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor=BACKGROUND, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def write_cards(out: Path, cards: list[Card]) -> dict[tuple[str, str], str]:
    """Draw the cards that are not on disk yet, remove stale ones; return (lang, slug) -> file name."""
    names = {(card.lang, card.slug): card.file_name() for card in cards}
    missing = [card for card in cards if not (out / card.file_name()).exists()]
    for card, png in zip(missing, run_parallel(draw, [(card,) for card in missing]), strict=True):
        write_if_changed(out / card.file_name(), png)
    wanted = set(names.values())
    for old in out.glob("*.png") if out.exists() else []:
        if old.name not in wanted:
            old.unlink()
    return names

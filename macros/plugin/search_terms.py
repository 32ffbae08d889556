"""MkDocs hook (``hooks:`` in mkdocs.yml): search as a reader needs it.

The site's Chinese terms are whole words to the search index.

Material's search plugin splits Chinese text into words with jieba, which cuts 雅可比 into 雅 | 可比
and 感受野 into 感受 | 野: a search finds and highlights only a fragment. Before the plugin starts,
this hook writes a jieba user dictionary of the Chinese names of the tags and the glossary of
``docs/_data/site.yml`` (under ``.cache/search/``) and hands it to the plugin.

Once every language is built (``mkdocs build`` and ``mkdocs serve`` alike), formulas in the index
become text and each language gets its own index (macros/features/search_text.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority

DICTIONARY = ".cache/search/jieba-user.txt"
FREQUENCY = 200_000  # high enough that jieba keeps each term whole


def user_dictionary(site_data: Path) -> str:
    """One line per Chinese term: ``term frequency n``."""
    from macros.features.model import load_site_data

    model = load_site_data(site_data, "docs/_data/site.yml")
    terms = sorted({names["zh"] for names in (*model.tags.values(), *model.glossary.values()) if names.get("zh")})
    return "".join(f"{term} {FREQUENCY} n\n" for term in terms if " " not in term)


@event_priority(100)  # before the search plugin loads its dictionaries
def on_config(config: Any) -> None:
    site_data = Path(config["docs_dir"]) / "_data" / "site.yml"
    search = next((plugin for plugin in config["plugins"].values() if type(plugin).__name__ == "SearchPlugin"), None)
    if search is None or not site_data.is_file():
        return
    try:  # imported here: a broken module or site.yml is reported, located, by the check of the whole site
        from lab.runner.stamp import write_if_changed
        from macros.files import ROOT

        path = ROOT / DICTIONARY
        write_if_changed(path, user_dictionary(site_data).encode("utf-8"))
    except Exception:
        return
    search.config["jieba_dict_user"] = str(path)


@event_priority(-150)  # after mkdocs-static-i18n (-100) has built the other languages into the index
def on_post_build(config: Any) -> None:
    index = Path(config["site_dir"]) / "search" / "search_index.json"
    if not index.is_file():  # a nested language build: its pages go into the first build's index
        return
    from macros.features.search_text import clean_index

    try:  # a broken site.yml is reported, located, by the check of the whole site
        from macros.features.model import load_site_data

        tags = load_site_data(Path(config["docs_dir"]) / "_data" / "site.yml", "docs/_data/site.yml").tags
    except Exception:
        tags = None
    clean_index(index, tag_names=tags)

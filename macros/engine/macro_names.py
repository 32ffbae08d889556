"""The names a page may call, in one list: the check renders them, the coverage scan skips their
arguments (keys, names and checked literals are not prose), and the author's guide teaches them."""

LAB_MACROS = ("value", "check", "approx", "below", "figure", "table", "lab_source", "module")
"""Macros that show the lab's numbers, figures, tables and code, in the order the author's guide
introduces them (macros/check/page_macros.py)."""
SITE_MACROS = ("route_list", "route_steps", "newest_articles", "timeline", "resource_cards", "tag_index")
"""Macros that show the site's structure (macros/features/pages.py)."""
CAPTIONS = {"figure": "caption"}
"""Macros with an argument a reader sees as prose, by position 1 or by keyword: scanned for numbers."""

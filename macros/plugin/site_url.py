"""MkDocs hook (``hooks:`` in mkdocs.yml): the site's public address, for canonical links, share-card
images (``og:image``) and the sitemap.

``SITE_URL`` wins when it is set (mkdocs.yml reads it). Otherwise a build takes the GitHub Pages
address of the repository: from ``GITHUB_REPOSITORY`` in GitHub Actions, else from the ``origin``
remote when it is on github.com (``https://OWNER.github.io/REPO/``; a repository named
``OWNER.github.io`` is served at the root). Failing both, mkdocs.yml's address stays. ``mkdocs
serve`` keeps its local address.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority

_GITHUB = re.compile(r"(?:https://|ssh://git@|git@)github\.com[:/]([\w.-]+)/([\w.-]+?)(?:\.git)?/?")


def pages_url(repository: str) -> str:
    """``owner/repo`` -> its GitHub Pages address."""
    owner, repo = repository.split("/", 1)
    owner = owner.lower()
    return f"https://{owner}.github.io/" if repo.lower() == f"{owner}.github.io" else f"https://{owner}.github.io/{repo}/"


def repository(project: Path) -> str | None:
    """``owner/repo`` of this build's GitHub repository, or None."""
    if re.fullmatch(r"[\w.-]+/[\w.-]+", os.environ.get("GITHUB_REPOSITORY", "")):
        return os.environ["GITHUB_REPOSITORY"]
    try:
        origin = subprocess.run(["git", "remote", "get-url", "origin"], cwd=project, capture_output=True, text=True,
                                timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    match = _GITHUB.fullmatch(origin)
    return f"{match.group(1)}/{match.group(2)}" if match else None


@event_priority(90)
def on_config(config: Any) -> None:
    found = repository(Path(config["config_file_path"]).parent)
    if not found:
        return
    if not os.environ.get("SITE_URL") and sys.argv[1:2] != ["serve"]:
        config["site_url"] = pages_url(found)
    if not config.get("edit_uri"):
        # "Edit this page", as a full address: with repo_url, Material's header would ask GitHub's API for
        # the repository's stars on every view, and the site makes no request elsewhere.
        config["edit_uri"] = f"https://github.com/{found}/edit/main/docs/"

"""``python -m macros diff``: what a change does to the published site.

sides.py checks each side (a commit, or the working tree) with that side's own code and collects its
lab files; compare.py matches the two sides' numbers and files; report.py writes the result as
Markdown, HTML and JSON. Nothing here imports the lab: each side runs in its own process.
"""

"""How the lab is run, not what it computes: the machinery around the experiments.

Each experiment, figure and table runs in a worker process (``parallel``) under a time limit
(``limits``) and a guard against writes (``guard``); a failure is located at its lab line
(``failures``). Results are cached by their sources (``cache``, sealed entries: ``sealed``), the
written files are stamped (``stamp``, ``figure_store``, ``outputs``) and zipped for download
(``bundle``). ``compare``, ``perturb`` and ``determinism`` rerun the lab and say what changed;
``machine`` is the signature of this machine's arithmetic. Nothing here imports MkDocs.
"""

"""Commands for the people who build this site, run by hand (``python -m tools.<name>``): not tests,
and never part of a build. ``benchmark`` times builds side by side, ``mutation`` breaks the project
on purpose and reports what the check caught, ``kernels`` reruns the lab under other BLAS kernels,
``screenshots`` photographs every article in Chromium."""

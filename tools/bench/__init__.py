"""``make bench``: PolyCMS measured side by side with a bare Django view and DRF's TokenAuthentication.

Run ``python -m tools.bench --help``. Never part of ``make test``; results go to ``tools/bench/results/`` (git-ignored).
"""

"""Evaluation: metrics (:mod:`shopops.evals.metrics`) and the ``shopops eval …`` harnesses.

Each harness is pure, file in and metrics out: it reads no store and writes none, so the same
file gives comparable figures on any install. ``copy_eval`` scores the copy studio; the baselines
it is compared with live in ``baselines``. Later capabilities (sentiment, search, forecasting) add
a harness module here and reuse the metrics.
"""

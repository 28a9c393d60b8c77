"""Leaf helpers with no domain knowledge: atomic writes, PNG bytes, per-process memo,
process start-up. Nothing here imports another ``kpi`` package."""

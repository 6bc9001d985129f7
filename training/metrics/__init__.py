"""Predicted quality metrics: ground truth from training and timing sampled architectures
(`ground_truth.py`), small heads on the GHN's graph embedding fitted to it (`train_heads.py`), and the
rank statistics that measure them (`kendall.py`). See README.md for the commands."""

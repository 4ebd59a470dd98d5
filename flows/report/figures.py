"""Matplotlib as every chart of engage uses it: drawn into files (no display on servers and
workers), and text shown as written (a client named "$5$ Co" is not typeset as maths)."""

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["text.parse_math"] = False

import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)
from matplotlib.figure import Figure  # noqa: E402

__all__ = ["Figure", "plt"]

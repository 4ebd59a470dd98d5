"""Matplotlib as every chart of engage uses it: drawn into files (no display on servers and
workers), text shown as written (a client named "$5$ Co" is not typeset as maths), and in SVG kept
as text, so a reader can search and copy a chart's labels."""

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["text.parse_math"] = False
matplotlib.rcParams["svg.fonttype"] = "none"

import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)
from matplotlib.figure import Figure  # noqa: E402

__all__ = ["Figure", "plt"]

"""mkc: Marketo-style smart campaigns as code."""

__version__ = "0.1.0"

"""The standard library: every flow step, condition and trigger, as data."""

from mkc.stdlib.conditions import CONDITIONS, FIELD_OPS
from mkc.stdlib.steps import STEPS
from mkc.stdlib.triggers import TRIGGERS

__all__ = ["CONDITIONS", "FIELD_OPS", "STEPS", "TRIGGERS"]

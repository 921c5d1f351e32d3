"""Parameter ranges: a fixed value or a ``(low, high)`` pair sampled per image."""
import math
from numbers import Integral, Real
from typing import Tuple, Union

Range = Union[float, Tuple[float, float]]
"""A fixed value, or a ``(low, high)`` pair sampled uniformly per image."""

IntRange = Union[int, Tuple[int, int]]
"""A fixed count, or a ``(low, high)`` pair of counts sampled per image
(both ends included)."""


def as_range(name: str, value, low_bound: float, high_bound: float,
              integer: bool = False) -> Tuple[float, float]:
    """Normalise a number or a (low, high) pair to a validated pair.

    Raises:
        ValueError: naming ``name`` when the value is not a number (an
            integer when ``integer``), the pair is not ordered or a value
            lies outside ``[low_bound, high_bound]``.
    """
    kind = 'an integer' if integer else 'a number'
    number_type = Integral if integer else Real
    pair = value if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or any(
            isinstance(v, bool) or not isinstance(v, number_type) for v in pair):
        raise ValueError(
            f'{name} must be {kind} or a (low, high) pair of them, got {value!r}')
    low, high = (int(v) if integer else float(v) for v in pair)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f'{name} must be finite, got {value!r}')
    if low > high:
        raise ValueError(f'{name} range must have low <= high, got {value!r}')
    if low < low_bound or high > high_bound:
        raise ValueError(
            f'{name} must lie in [{low_bound}, {high_bound}], got {value!r}')
    return low, high

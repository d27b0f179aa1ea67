"""Input rules shared by the whole library: the user-error classes and the parameter checks.

Every error that a user can fix by changing what they passed (a parameter, a series, a
file) is an :class:`InputError`, with a message that names the value and says how to fix
it. Applications such as the command line show those as one-line messages; any other
exception is a bug and keeps its traceback. :class:`InputValueError` and
:class:`InputTypeError` are also ``ValueError`` and ``TypeError``, so code that catches the
built-in types keeps working.

The checks return the validated value converted to a plain Python type.
"""

import numbers

__all__ = [
    "InputError",
    "InputTypeError",
    "InputValueError",
    "check_choice",
    "check_fraction",
    "check_int",
    "check_probability",
    "check_rate",
]


class InputError(Exception):
    """Base class of the errors caused by the user's input; the message says how to fix it."""


class InputValueError(InputError, ValueError):
    """A value passed by the user is wrong: out of range, inconsistent, too short."""


class InputTypeError(InputError, TypeError):
    """A value passed by the user has the wrong type."""


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(value, name, *, minimum=1, allow_none=False, example=None, meaning=""):
    """``value`` as an ``int`` of at least ``minimum`` (``None`` passes when allowed).

    Parameters
    ----------
    value : object
        What the user passed.
    name : str
        Parameter name shown in the message.
    minimum : int, default=1
        Smallest accepted value (1: a positive integer).
    allow_none : bool, default=False
        Whether ``None`` is accepted (and returned as ``None``).
    example : int, optional
        Value suggested in the message; defaults to ``max(minimum, 12)``.
    meaning : str, optional
        What the number counts, e.g. ``"the number of steps ahead"``.

    Returns
    -------
    int or None

    Raises
    ------
    InputValueError
        For a non-integer (booleans included) or a value below ``minimum``.

    Examples
    --------
    >>> check_int(3, "window")
    3
    >>> check_int(0, "window")
    Traceback (most recent call last):
    ...
    tsforecast.validation.InputValueError: `window`=0 must be a positive integer; pass e.g. `window=12`.
    """
    if value is None and allow_none:
        return None
    if not _is_int(value) or value < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        if allow_none:
            kind += " or None"
        if meaning:
            kind += f" ({meaning})"
        example = max(minimum, 12) if example is None else example
        raise InputValueError(f"`{name}`={value!r} must be {kind}; pass e.g. `{name}={example}`.")
    return int(value)


def check_probability(value, name, *, example=0.9):
    """``value`` as a ``float`` strictly between 0 and 1 (a coverage, a quantile level)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0 < value < 1:
        raise InputValueError(
            f"`{name}`={value!r} must be a probability strictly between 0 and 1; pass e.g. "
            f"`{name}={example}`."
        )
    return float(value)


def check_rate(value, name, *, example=0.1):
    """``value`` as a ``float`` in [0, 1) (a dropout rate)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0 <= value < 1:
        raise InputValueError(
            f"`{name}`={value!r} must be a rate in [0, 1); pass e.g. `{name}={example}`."
        )
    return float(value)


def check_fraction(value, name, *, example=0.1):
    """``value`` as a ``float`` strictly between 0 and 1 (a share of rows)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0 < value < 1:
        raise InputValueError(
            f"`{name}`={value!r} must be a fraction strictly between 0 and 1; pass e.g. "
            f"`{name}={example}`."
        )
    return float(value)


def check_choice(value, name, choices):
    """``value`` if it is one of ``choices``; the message lists them."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise InputValueError(f"`{name}`={value!r} is not supported; pass one of {listed}.")
    return value

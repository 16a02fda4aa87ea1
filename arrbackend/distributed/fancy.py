"""Integer-array ("fancy") indexing.

Until the native distributed gather lands, integer-array indices run through the
fallback: the operands are gathered to NumPy, indexed there, and the result scattered
back, with a FallbackWarning naming the operation."""
from __future__ import annotations

import operator

from ..dispatch.fallback import call_numpy


def getitem(x, key):
    return call_numpy(operator.getitem, (x, key), {}, stacklevel=5,
                      name="ndarray.__getitem__ with an integer-array index")


def setitem(x, key, value) -> None:
    call_numpy(operator.setitem, (x, key, value), {}, stacklevel=5,
               name="ndarray.__setitem__ with an integer-array index")

"""Where NumPy's sort leaves an order unspecified (docs/differences.md): equal elements
keep their order whatever the kind asked for, on every machine."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab


@pytest.mark.parametrize("kind", [None, "quicksort", "heapsort", "stable", "mergesort"])
def test_ties_keep_their_order_whatever_the_kind(machine, kind):
    rng = numpy.random.default_rng(7)
    a = rng.integers(-3, 3, size=(6, 5, 4))            # many ties along every axis
    x = ab.asarray(a)
    for axis in (-1, 0, 1, None):
        got = ab.asnumpy(ab.argsort(x, axis=axis, kind=kind))
        numpy.testing.assert_array_equal(got, numpy.argsort(a, axis=axis, kind="stable"))
        numpy.testing.assert_array_equal(ab.asnumpy(ab.sort(x, axis=axis, kind=kind)),
                                         numpy.sort(a, axis=axis))

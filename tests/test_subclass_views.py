"""NumPy subclasses inside ``enabled()``: the recipes of NumPy's subclassing guide
(``np.asarray(x).view(cls)``, ``__array_finalize__``, ``__array_wrap__``) run, each
subclass instance a NumPy array on the host (a NumPy subclass cannot live on a device),
never a NumPy array over device memory; views as dtypes no device holds behave as NumPy's
(objects: NumPy's TypeError)."""
from __future__ import annotations

import warnings

import numpy
import pytest

import arrbackend as ab
from helpers import to_ours


class InfoArray(numpy.ndarray):
    """The guide's ``InfoArray``: an extra attribute carried through views."""

    def __new__(cls, input_array, info=None):
        obj = numpy.asarray(input_array).view(cls)
        obj.info = info
        return obj

    def __array_finalize__(self, obj):
        if obj is None:
            return
        self.info = getattr(obj, "info", None)


class Tagged(numpy.ndarray):
    """The guide's ``__array_wrap__`` recipe: ufunc results keep the class and a tag."""

    def __array_finalize__(self, obj):
        self.tag = getattr(obj, "tag", "fresh")

    def __array_wrap__(self, out_arr, context=None, return_scalar=False):
        out = super().__array_wrap__(out_arr, context, return_scalar)
        if isinstance(out, Tagged):
            out.tag = "wrapped"
        return out


def _program(np):
    a = InfoArray(np.arange(6.0).reshape(2, 3), info="guide")
    b = a[1:]                                     # a view: info travels
    c = np.arange(4.0).view(Tagged)
    d = np.sin(c)
    return a, b, c, d


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ab.TransferWarning)    # (GPU data: announced)
        yield


def test_subclassing_guide_recipes(machine):
    with ab.enabled():
        got = _program(numpy)
    want = _program(numpy)
    for g, w in zip(got, want):
        assert type(g) is type(w)                  # NumPy instances of the user's class
        numpy.testing.assert_array_equal(numpy.asarray(g), numpy.asarray(w))
    assert got[0].info == got[1].info == "guide"
    assert got[2].tag == "fresh" and got[3].tag == "wrapped"


def test_view_as_subclass(machine):
    h = numpy.arange(12.0).reshape(3, 4)
    x = to_ours(h)
    v = x.view(InfoArray)
    assert type(v) is InfoArray and v.info is None
    numpy.testing.assert_array_equal(v, h)
    r = x[1:, ::2].view(numpy.ndarray)              # a NumPy array of the view's values
    assert type(r) is numpy.ndarray
    numpy.testing.assert_array_equal(r, h[1:, ::2])
    if machine.is_gpu:
        with pytest.warns(ab.TransferWarning):      # the usual warning for a host copy
            x.view(InfoArray)


def test_view_as_host_only_dtypes(machine):
    h = numpy.arange(6.0)
    x = to_ours(h)
    with pytest.raises(TypeError, match="array of references"):
        x.view(object)
    with pytest.raises(TypeError, match="array of references"):
        h.view(object)
    for dt in ("S8", [("a", "<f8")], "V8"):
        got, want = x.view(dt), h.view(dt)
        assert type(got) is numpy.ndarray and got.dtype == want.dtype
        numpy.testing.assert_array_equal(got, want)


def test_mixing_subclass_instances_with_device_arrays(machine):
    a = InfoArray(numpy.arange(4.0), info="i")
    x = to_ours(numpy.ones(4))
    r = a + x                                    # arrbackend's __array_ufunc__ answers
    assert isinstance(r, ab.ndarray)
    numpy.testing.assert_array_equal(ab.asnumpy(r), numpy.arange(4.0) + 1)

"""The statements the random programs of ``tests/test_programs.py`` leave out, by name.

Each entry names a class of statements arrbackend still answers differently from NumPy, and
says which class it is (the numbers are those of issue 18's list), so that it can be lifted
when the class is fixed: ``ARRBACKEND_FUZZ_LIFT=name,name`` (or ``all``) generates those
statements again, to see the class or to check its fix.

``FIXED`` keeps the classes fixed since, with their descriptions: they are generated.

Documented differences (docs/differences.md) and NumPy's own unspecified results are not
exclusions: the generators normalize them where they draw (see their comments).
"""
from __future__ import annotations

import os

__all__ = ["EXCLUSIONS", "FIXED", "excluded"]

EXCLUSIONS: dict[str, str] = {}

# Classes fixed since they were excluded: their statements are generated again (the
# names stay, so that the generators' checks read as before).
FIXED: dict[str, str] = {
    "reshape_bad_args":
        "class 10: a.reshape(None) and a.reshape((2, -5)) differ from NumPy",
    "axis_of_0d":
        "class 14: axis= on a 0-d array that a reduction returned (several devices) or "
        "that ufunc.outer of 0-d arrays returned (every machine) is checked the other "
        "way round: cumsum/cumprod/argmin(axis=0 or -1) raise AxisError, var(axis=0) "
        "answers",
    "integer_index_scalar":
        "issue 18 class 1: an index taking every axis by an integer (or a[()] of a 0-d "
        "array) returns a 0-d array still tied to its array: a later write to the array "
        "changes it (the key gets a trailing ..., a 0-d view in NumPy too)",
    "leading_ones_value":
        "class 6: an assigned value with extra leading size-1 dimensions is refused (in "
        "basic, fancy and mask assignment and np.copyto)",
    "fill_cast_unsafely":
        "class 7: np.full / np.full_like raise for a fill value NumPy casts unsafely "
        "(complex into a real dtype, a negative number into an unsigned one, a float "
        "into an integer one, 1e30 into int64)",
    "imag_of_real":
        "class 5: .imag / np.imag of a real array is writeable (NumPy: read-only)",
    "diagonal_view":
        "class 3: diagonal / np.diag of a 2-d array / np.diagonal return writeable "
        "copies (NumPy: read-only views)",
    "broadcast_to_same_shape":
        "np.broadcast_to(a, a.shape) returns a itself, writeable (NumPy: a read-only "
        "view)",
    "none_operand":
        "class 16: a / None raises ZeroDivisionError, a + None UFuncTypeError (NumPy: "
        "TypeError)",
    "str_compare":
        "class 16: a == 'x', a != [1, 'a'] raise UFuncTypeError (NumPy answers, or "
        "raises ValueError for shapes that do not broadcast)",
    "squeeze_axis_list":
        "class 16: np.squeeze(a, axis=[0]) is accepted (NumPy: TypeError)",
    "ufunc_at":
        "ufunc.at loses its writes (the fidelity issue; fallback write-back)",
    "view_of_readonly":
        "a view of a read-only array reports flags.writeable True (NumPy: False; a write "
        "still raises ValueError): b = np.broadcast_to(x, (2, 3)); b[0], "
        "np.array_split(b, 2)[0], np.reshape(b, ...) where NumPy's is a view",
    "repeat_bad_repeats":
        "class 10: on several devices np.repeat(a, 1.5) raises TypeError (NumPy "
        "truncates to 1), as np.repeat of an empty view with repeats [] does; "
        "np.repeat(empty, -1) raises ValueError (NumPy returns the empty array)",
    "nan_of_nothing":
        "class 14: on several devices mean/var/std of a 0-d array that a reduction "
        "returned, over no element (where=False, ddof >= 1), give 0.0, a NumPy float "
        "(NumPy: nan)",
    "tile_alias":
        "class 2: on several devices np.tile, and np.repeat along an axis of length 1, "
        "return a read-only alias of their input",
    "out_dtype_split":
        "class 12: on several devices argmax/argmin/clip/dot/matmul accept an out= of a "
        "dtype NumPy refuses (argmax into floats, clip of floats into integers, dot of "
        "floats into integers)",
    "where_shape":
        "class 12: a where= of a shape that does not broadcast is accepted: by a ufunc "
        "with out= (np.multiply(a, a, out=a, where=np.zeros(0, bool)) with a of shape "
        "(0, 1)), by ufunc.reduce (np.add.reduce(np.ones((3, 2, 2)), where=np.ones((3, "
        "2), bool)) answers), and on several devices by np.sum and np.max (NumPy: "
        "ValueError)",
    "std_integer_dtype":
        "on several devices np.std(a, dtype=np.int8 or np.bool) raises UFuncTypeError "
        "(NumPy computes and casts)",
    "std_out_dtype":
        "class 12: on several devices np.std(a, out=o) with o of an integer or bool "
        "dtype casts into o (NumPy: UFuncTypeError)",
    "empty_negative_power":
        "on one device with fusion on, an empty integer array ** -1 is int64 (NumPy "
        "keeps int32, int8, ...)",
    "two_out_shapes":
        "class 12: the shapes of the out= of a two-output ufunc are not checked "
        "(np.modf(a, out=(o1, o2)) with o1.shape != o2.shape returns; NumPy: ValueError)",
    "positional_out_fused":
        "class 9: arrbackend's ufuncs (import arrbackend as np) on the fused path "
        "(several devices, or fusion on) with a positional out (np.isnan(a, a)) raise "
        "TypeError: resolve_dtypes",
    "empty_fancy_set":
        "a fancy assignment selecting nothing (an empty slice beside an index array) "
        "into a view that added a length-1 axis raises 'assignment destination is "
        "read-only' (a = np.zeros(5)[None]; a[0:0, [0]] = 1; NumPy: nothing to do)",
    "insert_value_kind":
        "class 7: on several devices np.insert of a scalar of another kind (1j into "
        "reals) or out of range (2**40 into int8) casts it (NumPy: TypeError, "
        "OverflowError)",
    "reduce_float_initial":
        "class 12: ufunc.reduce (every machine) and np.sum/np.prod (several devices) "
        "with a float initial= on integers (np.multiply.reduce([3, 3], initial=0.5)) "
        "compute in floats and cast the result: 4 (NumPy casts initial first: 0)",
    "where_python_bool":
        "class 14: on several devices mean/var/std(where=False) end in an internal "
        "AttributeError",
    "matmul_out_split":
        "class 8: on several devices np.matmul(a, b, out=o) under enabled() (NumPy's "
        "ufunc protocol passes out as a tuple) ends in an internal AttributeError",
    "bool_power":
        "class 13: bool_array ** 2 is int64 (NumPy: int8)",
    "logical_reduce_keywords":
        "class 11: logical_and/logical_or.reduce(initial=) and (dtype=) raise an "
        "internal TypeError",
    "reduce_dtype":
        "class 11: maximum/minimum/fmax/fmin.reduce ignore dtype=",
    "numpy_scalar_out_of_range":
        "class 7: assigning a NumPy scalar that does not fit an integer array "
        "(int8_array[...] = np.uint8(200), np.int64(300), np.float32(1e10)) wraps it "
        "(NumPy: OverflowError)",
    "put_value_kind":
        "class 7: np.put of a complex scalar into a real array casts it (NumPy: "
        "TypeError); with a value out of range and an index out of bounds, arrbackend "
        "checks the index first (IndexError), NumPy the value (OverflowError)",
    "setitem_error_order":
        "a[bad_index] = 2**40 into uint8 raises OverflowError (NumPy checks the index "
        "first: IndexError)",
}


def _lifted() -> set:
    text = os.environ.get("ARRBACKEND_FUZZ_LIFT", "")
    return {s.strip() for s in text.split(",") if s.strip()}


_LIFTED = _lifted()


def excluded(name: str) -> bool:
    """Whether the statements of exclusion ``name`` are left out of the programs."""
    assert name in EXCLUSIONS or name in FIXED, name
    if name in FIXED:
        return False
    return "all" not in _LIFTED and name not in _LIFTED

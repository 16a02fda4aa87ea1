"""The user's stories (the programs of the tutorial arrbackend was asked to run): each one
in ``examples/`` is plain ``import numpy as np`` code.  Each runs unchanged under
``arrbackend.enabled()`` on every test machine with no FallbackWarning, and gives NumPy's
results.

To compare random-driven programs value by value, NumPy runs them with its ``np.random``
functions answering with arrbackend's counter-based draws copied to the host (same seed,
same streams), so both sides see identical inputs.  Random arrays are identical across
device counts; the results of reductions agree within NumPy's tolerance."""
from __future__ import annotations

import os
import sys

import numpy
import pytest

import arrbackend as ab
from arrbackend.testing import numpy_with_arrbackend_random
from helpers import check

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "examples"))

import array_basics        # noqa: E402
import fluid_step          # noqa: E402
import heat_stencil        # noqa: E402
import image_preprocess    # noqa: E402
import inplace_batches     # noqa: E402
import large_sums          # noqa: E402
import matrix_chain        # noqa: E402
import monte_carlo_pi      # noqa: E402
import safe_inverse        # noqa: E402
import timing_monitor      # noqa: E402

def run_both(story, seed=2024):
    """(NumPy's result, arrbackend's result on the test machine) of ``story()``."""
    with numpy_with_arrbackend_random():
        numpy.random.seed(seed)
        expected = story()
    ab.counters.reset()
    spec = ab.current_machine().spec
    with ab.enabled(devices=spec):
        numpy.random.seed(seed)
        got = story()
    assert ab.counters.fallbacks == 0
    return expected, got


def compare(got, expected, rtol=1e-9, atol=1e-9):
    if isinstance(expected, dict):
        for k in expected:
            compare(got[k], expected[k], rtol, atol)
    elif isinstance(expected, (tuple, list)):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            compare(g, e, rtol, atol)
    elif isinstance(expected, (numpy.ndarray, numpy.generic)) and not isinstance(
            got, (float, int, str)):
        check(got, expected, rtol=rtol, atol=atol)
    elif isinstance(expected, float):
        assert abs(float(got) - expected) <= atol + rtol * abs(expected), (got, expected)
    else:
        assert got == expected, (got, expected)


def test_array_basics(machine):
    e, g = run_both(lambda: array_basics.basics(60))
    compare(g, e)
    assert abs(float(g["mean"])) < 0.05 and abs(float(g["std"]) - 1) < 0.05


def test_tutorial_shape_error_is_numpys(machine):
    """The tutorial multiplies two (3, 4) matrices: NumPy's ValueError, word for word."""
    with pytest.raises(ValueError) as theirs:
        numpy.dot(numpy.zeros((3, 4)), numpy.ones((2, 3, 4))[0])
    with ab.enabled(devices=ab.current_machine().spec):
        with pytest.raises(ValueError) as ours:
            numpy.dot(numpy.zeros((3, 4)), numpy.ones((2, 3, 4))[0])
    assert str(ours.value) == str(theirs.value)


def test_monte_carlo_pi(machine):
    e, g = run_both(lambda: monte_carlo_pi.estimate_pi(20_000))
    compare(g, e, rtol=0, atol=0)
    assert abs(float(g) - numpy.pi) < 0.05


def test_heat_stencil(machine):
    e, g = run_both(lambda: heat_stencil.diffuse(heat_stencil.initial_plate(40), 12))
    compare(g, e, rtol=1e-13, atol=1e-12)


def test_large_sums_and_product(machine):
    e, g = run_both(lambda: large_sums.big_sum_and_product(50, 30))
    compare(g, e)


def test_matrix_chain(machine):
    def story():
        A, B, C = (numpy.random.randn(40, 40) for _ in range(3))
        r = matrix_chain.chain(A, B, C)
        return r, numpy.mean(r), numpy.std(r)
    e, g = run_both(story)
    compare(g, e)


def test_inplace_and_batches(machine):
    def story():
        data = numpy.random.randn(250, 10)
        return inplace_batches.in_place(data.copy()), inplace_batches.batched_row_norms(data, 60)
    e, g = run_both(story)
    compare(g, e)


def test_timing_monitor(machine):
    e, g = run_both(lambda: timing_monitor.workload(50))
    compare(g, e)


def test_safe_inverse(machine):
    e, g = run_both(lambda: safe_inverse.guarded(safe_inverse.invert_random, 30))
    compare(g[0], e[0], rtol=1e-8, atol=1e-8)
    assert g[1] is None
    e, g = run_both(lambda: safe_inverse.guarded(safe_inverse.invert_singular))
    assert g[0] is None and g[1] == e[1] == "LinAlgError: Singular matrix"


def test_image_preprocess(machine):
    def story():
        images = numpy.random.randint(0, 256, (8, 12, 10, 3))
        return images, image_preprocess.preprocess(images)
    e, g = run_both(story)
    compare(g, e)


def test_fluid_step(machine):
    e, g = run_both(lambda: fluid_step.simulate(40, 25, report=False))
    compare(g, e, rtol=1e-12, atol=1e-14)


def test_random_programs_identical_across_device_counts():
    results = []
    for spec in ("cpu:1", "cpu:3"):
        with ab.settings.override(split_bytes=0), ab.enabled(devices=spec):
            numpy.random.seed(5)
            images = numpy.random.randint(0, 256, (9, 6, 5, 3))
            pi = monte_carlo_pi.estimate_pi(10_000)
            results.append((ab.asnumpy(images), float(pi),
                            ab.asnumpy(image_preprocess.preprocess(images))))
    numpy.testing.assert_array_equal(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]
    numpy.testing.assert_array_equal(results[0][2], results[1][2])


SMALL = {"array_basics": dict(n=100), "heat_stencil": dict(size=64, iterations=5),
         "monte_carlo_pi": dict(samples=20_000, runs=2, run_samples=5_000),
         "fluid_step": dict(n=48, steps=21), "safe_inverse": dict(n=40),
         "image_preprocess": dict(batch=4, size=16), "inplace_batches": dict(rows=500),
         "large_sums": dict(n=60, m=40), "matrix_chain": dict(n=64),
         "timing_monitor": dict(n=64)}


@pytest.mark.parametrize("module", [array_basics, heat_stencil, monte_carlo_pi, fluid_step,
                                    safe_inverse, image_preprocess, inplace_batches,
                                    large_sums, matrix_chain, timing_monitor],
                         ids=lambda m: m.__name__)
def test_examples_run_as_scripts(module, capsys):
    """Each example's ``main()`` runs unchanged under enabled() (small sizes) and prints."""
    ab.counters.reset()
    with ab.settings.override(split_bytes=0), ab.enabled(devices="cpu:2"):
        module.main(**SMALL[module.__name__])
    assert capsys.readouterr().out.strip()
    assert ab.counters.fallbacks == 0

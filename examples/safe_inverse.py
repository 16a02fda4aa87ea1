"""Error handling: invert matrices inside a wrapper that reports failures (a singular
matrix raises numpy.linalg.LinAlgError) instead of crashing."""
import numpy as np


def guarded(fn, *args):
    try:
        return fn(*args), None
    except Exception as exc:       # report, do not crash
        return None, f"{type(exc).__name__}: {exc}"


def invert_random(n=500):
    m = np.random.randn(n, n)
    return np.linalg.inv(m)


def invert_singular(n=4):
    return np.linalg.inv(np.ones((n, n)))


def main(n=1000):
    inv, err = guarded(invert_random, n)
    print("random matrix:", "inverted" if err is None else err)
    inv, err = guarded(invert_singular)
    print("singular matrix:", err)


if __name__ == "__main__":
    main()

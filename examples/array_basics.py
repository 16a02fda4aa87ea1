"""Array basics: making arrays, elementwise arithmetic, a small matrix product, a column
sum and summary statistics of a random matrix.  (The tutorial's version multiplies two
(3, 4) matrices, which NumPy rejects with a ValueError; arrbackend raises the same one.)  Plain NumPy; run it on arrbackend with
``python -m arrbackend examples/array_basics.py`` or inside ``arrbackend.enabled()``."""
import numpy as np


def basics(n=1000):
    a = np.array([1, 2, 3, 4, 5])
    b = np.arange(10)
    c = np.zeros((3, 4))
    d = np.ones((2, 3, 4))
    e = np.random.randn(n, n)
    added = a + b[:5]
    product = np.dot(c, d[0].T)     # (3, 4) @ (4, 3); np.dot(c, d[0]) is a shape error

    column_sums = np.sum(e, axis=0)
    return {"added": added, "product": product, "column_sums": column_sums,
            "mean": np.mean(e), "std": np.std(e)}


def main(n=1000):
    r = basics(n)
    print(f"a + b[:5] = {r['added']}")
    print(f"dot(c, d[0]) has shape {r['product'].shape}")
    print(f"column sums have shape {r['column_sums'].shape}")
    print(f"random matrix: mean={r['mean']:.4f}, std={r['std']:.4f}")


if __name__ == "__main__":
    main()

"""A chain of matrix operations: a product, an addition, elementwise trigonometry and a
row sum, then the mean and spread of the result."""
import time

import numpy as np


def chain(A, B, C):
    t1 = np.dot(A, B)
    t2 = t1 + C
    t3 = np.sin(t2) + np.cos(t2)
    return np.sum(t3, axis=1)


def main(n=2000):
    A, B, C = (np.random.randn(n, n) for _ in range(3))
    start = time.time()
    r = chain(A, B, C)
    print(f"chain of {n}x{n} in {time.time() - start:.4f} s: "
          f"mean={np.mean(r):.6f} std={np.std(r):.6f}")


if __name__ == "__main__":
    main()

"""Large arrays spread over the devices: a column sum of a big random matrix and the
product of two random matrices."""
import numpy as np


def big_sum_and_product(n=4000, m=2000):
    big = np.random.randn(n, n)
    print(f"shape {big.shape}, {big.size} elements, {big.nbytes / 1024**3:.2f} GiB")
    col = np.sum(big, axis=0)
    a = np.random.randn(m, m)
    b = np.random.randn(m, m)
    prod = np.dot(a, b)
    return col, prod


def main(n=4000, m=2000):
    col, prod = big_sum_and_product(n, m)
    print(f"column sums: shape {col.shape}; product: shape {prod.shape}")


if __name__ == "__main__":
    main()

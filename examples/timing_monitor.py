"""A small timing monitor around several operations: random data, a Gram matrix,
summary statistics and trigonometry."""
import time

import numpy as np


class Monitor:
    def __init__(self):
        self.timings = {}

    def time(self, name, fn, *args):
        start = time.time()
        out = fn(*args)
        self.timings[name] = time.time() - start
        print(f"{name}: {self.timings[name]:.4f} s")
        return out

    def summary(self):
        total = sum(self.timings.values())
        for name, t in self.timings.items():
            print(f"  {name}: {t:.4f} s ({100 * t / total:.1f}%)")
        print(f"  total: {total:.4f} s")


def workload(n=1000, monitor=None):
    m = monitor or Monitor()
    data = m.time("random data", lambda: np.random.randn(n, n))
    gram = m.time("matrix product", lambda x: np.dot(x, x.T), data)
    stats = m.time("statistics", lambda x: (np.mean(x), np.std(x), np.min(x), np.max(x)), gram)
    trig = m.time("trigonometry", lambda x: np.sin(x) + np.cos(x), data)
    return data, gram, stats, trig


def main(n=2000):
    m = Monitor()
    workload(n, m)
    m.summary()


if __name__ == "__main__":
    main()

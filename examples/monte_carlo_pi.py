"""Monte Carlo estimate of pi: draw points in the square [-1, 1]^2 and count those
inside the unit circle."""
import time

import numpy as np


def estimate_pi(samples=1_000_000):
    x = np.random.uniform(-1, 1, samples)
    y = np.random.uniform(-1, 1, samples)
    r = np.sqrt(x**2 + y**2)
    inside = np.sum(r <= 1)
    return 4 * inside / samples


def main(samples=10_000_000, runs=5, run_samples=1_000_000):
    estimate = estimate_pi(samples)
    print(f"pi is about {estimate}  (error {abs(estimate - np.pi):.6f})")
    start = time.time()
    for _ in range(runs):
        estimate_pi(run_samples)
    print(f"mean time per run of {run_samples} samples: {(time.time() - start) / runs:.4f} s")


if __name__ == "__main__":
    main()

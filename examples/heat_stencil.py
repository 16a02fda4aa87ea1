"""Heat diffusion on a square plate with a five-point stencil: each interior point
becomes the mean of its four neighbours; the edges keep their temperatures."""
import time

import numpy as np


def diffuse(grid, iterations=100):
    nxt = np.zeros_like(grid)
    for _ in range(iterations):
        nxt[1:-1, 1:-1] = 0.25 * (grid[:-2, 1:-1] + grid[2:, 1:-1]
                                  + grid[1:-1, :-2] + grid[1:-1, 2:])
        nxt[0, :] = grid[0, :]
        nxt[-1, :] = grid[-1, :]
        nxt[:, 0] = grid[:, 0]
        nxt[:, -1] = grid[:, -1]
        grid, nxt = nxt, grid
    return grid


def initial_plate(size=1000):
    grid = np.zeros((size, size))
    grid[0, :] = 100      # hot top edge
    grid[-1, :] = 0       # cold bottom edge
    grid[:, 0] = 50
    grid[:, -1] = 50
    mid = size // 2
    grid[mid - 10:mid + 10, mid - 10:mid + 10] = 200    # a hot spot
    return grid


def main(size=1000, iterations=50):
    grid = initial_plate(size)
    print(f"start: min={np.min(grid):.2f} max={np.max(grid):.2f} mean={np.mean(grid):.2f}")
    start = time.time()
    result = diffuse(grid.copy(), iterations)
    print(f"{iterations} steps in {time.time() - start:.4f} s")
    print(f"end: min={np.min(result):.2f} max={np.max(result):.2f} mean={np.mean(result):.2f}")


if __name__ == "__main__":
    main()

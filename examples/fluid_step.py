"""A toy fluid: velocities advected with np.gradient and diffused with a five-point
Laplacian, walls held at zero, the peak speed printed every 20 steps."""
import numpy as np


def simulate(n=256, steps=50, dt=0.01, dx=1.0, nu=0.01, report=True):
    u = np.zeros((n, n))
    v = np.zeros((n, n))
    c = n // 2
    u[c - 10:c + 10, c - 10:c + 10] = 1.0
    peaks = []
    for step in range(steps):
        un = u - dt * (u * np.gradient(u, dx, axis=1) + v * np.gradient(u, dx, axis=0))
        vn = v - dt * (u * np.gradient(v, dx, axis=1) + v * np.gradient(v, dx, axis=0))
        un[1:-1, 1:-1] += nu * dt * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2]
                                     + u[1:-1, 2:] - 4 * u[1:-1, 1:-1]) / dx**2
        vn[1:-1, 1:-1] += nu * dt * (v[:-2, 1:-1] + v[2:, 1:-1] + v[1:-1, :-2]
                                     + v[1:-1, 2:] - 4 * v[1:-1, 1:-1]) / dx**2
        un[0, :] = un[-1, :] = 0
        un[:, 0] = un[:, -1] = 0
        vn[0, :] = vn[-1, :] = 0
        vn[:, 0] = vn[:, -1] = 0
        u, v = un, vn
        if step % 20 == 0:
            peak = np.max(np.sqrt(u**2 + v**2))
            peaks.append(peak)
            if report:
                print(f"step {step}: peak speed {peak:.6f}")
    return u, v, peaks


def main(n=256, steps=50):
    u, v, _ = simulate(n, steps)
    print(f"u: mean={np.mean(u):.6f} max|u|={np.max(np.abs(u)):.6f}")
    print(f"v: mean={np.mean(v):.6f} max|v|={np.max(np.abs(v)):.6f}")


if __name__ == "__main__":
    main()

"""Memory-frugal habits: in-place updates, ``out=`` into a preallocated array, and a
batched loop whose per-batch results are concatenated."""
import numpy as np


def in_place(data):
    data += 1
    data *= 2
    result = np.empty_like(data)
    np.sin(data, out=result)
    return result


def batched_row_norms(data, batch=1000):
    parts = []
    for start in range(0, data.shape[0], batch):
        chunk = data[start:start + batch]
        parts.append(np.sum(chunk**2, axis=1))
    return np.concatenate(parts)


def main(rows=10000):
    data = np.random.randn(rows, 100)
    print(f"in place: {in_place(data.copy()).shape}; batched: {batched_row_norms(data).shape}")


if __name__ == "__main__":
    main()

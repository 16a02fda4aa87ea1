"""Rank 1 raises before a reduction the others wait in: the job must end at once, with
rank 1's traceback shown once (as ``python script.py`` and ``python -m arrbackend``)."""
import arrbackend as np

a = np.ones((100, 300))
if np.rank() == 1:
    raise ValueError("rank 1 cannot go on")
print("sum", float(a.sum()))

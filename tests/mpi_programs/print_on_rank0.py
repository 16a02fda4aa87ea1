"""The first thing an HPC user writes: rank 0 prints a reduction the others do not
compute, then every rank prints an element.  Every rank must raise a CommError naming the
ranks, the operations and the lines; no rank may print a wrong number or hang.
With ``catch``, each rank reports the error it caught and the program ends normally."""
import sys

import arrbackend as np

a = np.arange(3000.0).reshape(300, 10)
rank = np.rank()
try:
    if rank == 0:
        print("max", np.max(a))
    print("element", a[5, 5])
except np.CommError as exc:
    if "catch" not in sys.argv:
        raise
    print(f"rank {rank} caught CommError: {exc}", flush=True)

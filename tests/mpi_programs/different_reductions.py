"""Rank 1 prints the max of an array while the other ranks print its sum: every rank must
raise a CommError naming both reductions, never print the other's value."""
import arrbackend as np

a = np.ones((100, 300))
if np.rank() == 1:
    print("max", np.max(a))
else:
    print("sum", np.sum(a))

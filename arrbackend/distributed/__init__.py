"""Where data lives and moves: machines, layouts, stores and views, localization,
communicators, and the distributed algorithms (elementwise, reductions, matmul, indexing,
random)."""

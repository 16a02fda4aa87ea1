"""How calls arrive: the registry, NumPy's protocols, the fallback, ``enabled()`` and the
Array API surface."""

"""``python -m arrbackend``: run a NumPy script on arrbackend, ``info``, ``demo``
(see ``arrbackend.cli``)."""
from arrbackend.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

"""The NumPy functions arrbackend implements, one module per family.

Importing this package imports the families every program uses (creation, ufuncs,
shapes, reductions) and records the others from the index (``api/index.py``): each is
imported when one of its functions is first called, through ``__array_function__``, a
namespace (``arrbackend.linalg.inv``) or ``enabled()``.  Every implementation, imported
now or later, follows the random-number setting and stands behind the one gate."""
from . import random_switch  # noqa: F401  (numpy.random functions follow the setting)
from . import gate

gate.install()        # every registered function behind the one gate (see gate.py)

from . import creation, manipulation, reductions, ufuncs  # noqa: F401,E402
from .index import FAMILIES  # noqa: E402
from .registry import defer  # noqa: E402

defer(FAMILIES)

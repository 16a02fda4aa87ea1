"""The NumPy functions arrbackend implements, one module per family.  Importing this
package registers every implementation in the registry."""
from . import (attributes, creation, indexing_routines, linalg, manipulation, math,  # noqa
               random, reductions, ufuncs)

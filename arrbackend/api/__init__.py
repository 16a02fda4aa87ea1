"""The NumPy functions arrbackend implements, one module per family.  Importing this
package registers every implementation in the registry."""
from . import (attributes, creation, indexing_routines, linalg, manipulation, math,  # noqa
               random, reductions, ufuncs)
from . import (cumulative, fft, files, histograms, indexing_more, linalg_api,  # noqa: F401
               linalg_more, mathmore, padding, polynomial, products, random_more, setops,
               shaping, sorting, statistics, ufunc_methods, utilities)
from . import random_host  # noqa: F401,E402  (after every numpy.random registration)
from . import gate  # noqa: E402

gate.install()        # every registered function behind the one gate (see gate.py)

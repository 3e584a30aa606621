"""The notebooks' view layer: their tables, sentences and conclusions, rendered from the results.

The notebooks hold no logic: every table they show is built here, from the stored sweep
tables (:func:`mnist_clustering.load_results`) and artefacts
(:func:`mnist_clustering.load_artifacts`). One module per concern; every public name is
re-exported here, so a notebook calls ``views.<name>``:

- :mod:`~mnist_clustering.views.text`: :class:`Text` (Markdown computed from the tables,
  so that a sentence cannot disagree with the output below it) and readable names.
- :mod:`~mnist_clustering.views.tables`: the images, the stored rows of a k grid
  (:func:`results_or_sweep`), how a table was computed, scores at given k, clusters and
  their majority digits, purity.
- :mod:`~mnist_clustering.views.spread`: every K-Means number with its spread over random
  starts, and the published figures beside it.
- :mod:`~mnist_clustering.views.vs2022`: the 2022 notebook's printed numbers
  (:data:`mnist_clustering.notebook2022.PRINTED`), settings and bugs beside ours.
- :mod:`~mnist_clustering.views.provenance`: package versions, data hashes and
  concurrency, from the tables' provenance.
- :mod:`~mnist_clustering.views.conclusions`: each notebook's closing note in numbers.
- :mod:`~mnist_clustering.views.representations`: notebook 05, the feature spaces.
- :mod:`~mnist_clustering.views.training`: notebook 05, the best space's own uncertainty
  (its training seeds, training length, UMAP's neighbours) and umap-learn's recipe.
"""

from . import conclusions, provenance, representations, spread, tables, text, training, vs2022
from .conclusions import *  # noqa: F403
from .provenance import *  # noqa: F403
from .representations import *  # noqa: F403
from .spread import *  # noqa: F403
from .tables import *  # noqa: F403
from .text import *  # noqa: F403
from .training import *  # noqa: F403
from .vs2022 import *  # noqa: F403

__all__ = [
    *text.__all__,
    *tables.__all__,
    *spread.__all__,
    *vs2022.__all__,
    *provenance.__all__,
    *conclusions.__all__,
    *representations.__all__,
    *training.__all__,
]

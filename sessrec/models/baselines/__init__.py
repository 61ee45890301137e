"""Simple, honest baselines behind the same interface as GRU4Rec: most popular, first-order
Markov, item-kNN and V-SKNN. Importing this package registers their kinds."""

from sessrec.models.baselines.itemknn import ItemKNN, ItemKNNConfig
from sessrec.models.baselines.markov import Markov, MarkovConfig
from sessrec.models.baselines.popularity import Popularity, PopularityConfig
from sessrec.models.baselines.vsknn import VSKNN, VSKNNConfig

__all__ = [
    "VSKNN",
    "ItemKNN",
    "ItemKNNConfig",
    "Markov",
    "MarkovConfig",
    "Popularity",
    "PopularityConfig",
    "VSKNNConfig",
]

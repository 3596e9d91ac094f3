"""tensorlite.utils.data: torch.utils.data's datasets, samplers, collation and the DataLoader.

The batching hot path: a DataLoader with auto-batching fetches a batch through the dataset's
`__getitems__` when it has one (as torch 2.x does). TensorDataset (and Subset over it) answer with
one advanced-indexing gather per tensor instead of N per-sample look-ups, and default_collate
recognises that already-batched answer, so a TensorDataset batch costs one gather per field.
"""
from .dataset import (Dataset, IterableDataset, TensorDataset, StackDataset, ConcatDataset, ChainDataset,
                      Subset, random_split)
from .sampler import (Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler,
                      BatchSampler)
from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset", "ChainDataset",
           "Subset", "random_split", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler", "default_collate", "default_convert", "DataLoader",
           "get_worker_info"]

"""Data-pipeline transforms of cpra_mm."""
from .add_rain import AddRain
from .keep_clean_copy import KeepCleanCopy

__all__ = ['AddRain', 'KeepCleanCopy']

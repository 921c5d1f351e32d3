"""Datasets and data-pipeline transforms of cpra_mm."""
from .transforms import AddRain

__all__ = ['AddRain']

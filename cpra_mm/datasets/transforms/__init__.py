"""Data-pipeline transforms of cpra_mm."""
from .add_rain import AddRain

__all__ = ['AddRain']

"""Data-pipeline transforms of cpra_mm."""
from .add_rain import AddRain
from .keep_clean_copy import KeepCleanCopy
from .paint_graphics import PaintGraphics

__all__ = ['AddRain', 'KeepCleanCopy', 'PaintGraphics']

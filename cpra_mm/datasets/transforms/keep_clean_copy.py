"""``KeepCleanCopy``: keep the clean image before rain is added to it."""
import numpy as np
from mmcv.transforms import BaseTransform

from cpra_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class KeepCleanCopy(BaseTransform):
    """Copy ``results[src_key]`` to ``results[dst_key]``.

    Used for joint fine-tuning (:class:`cpra_mm.downstream.JointDerainTaskModel`):
    place it after every geometric and photometric transform and just before
    ``AddRain(src_key='img', dst_key='img')``, so the copy is the clean
    counterpart of the rainy image pixel for pixel, and pack it into the data
    samples by adding ``dst_key`` to the pack transform's ``meta_keys``
    (e.g. ``PackDetInputs(meta_keys=(..., 'clean_img'))``).

    Required keys: ``src_key`` (an array, H x W x C).

    Added keys: ``dst_key`` (an independent copy, same shape and dtype).

    Args:
        src_key: key of the image to copy.
        dst_key: key of the copy.
    """

    def __init__(self, src_key: str = 'img', dst_key: str = 'clean_img') -> None:
        for name, key in (('src_key', src_key), ('dst_key', dst_key)):
            if not isinstance(key, str) or not key:
                raise ValueError(f'KeepCleanCopy: {name} must be a non-empty string, got {key!r}')
        if src_key == dst_key:
            raise ValueError(f'KeepCleanCopy: src_key and dst_key are both {src_key!r}')
        self.src_key = src_key
        self.dst_key = dst_key

    def transform(self, results: dict) -> dict:
        """Add the copy.

        Raises:
            KeyError: when ``results`` has no ``src_key``.
        """
        if self.src_key not in results:
            raise KeyError(f'KeepCleanCopy: results has no {self.src_key!r} (src_key); keys '
                           f'present: {sorted(results)}')
        results[self.dst_key] = np.array(results[self.src_key], copy=True)
        return results

    def __repr__(self) -> str:
        return f"{type(self).__name__}(src_key='{self.src_key}', dst_key='{self.dst_key}')"

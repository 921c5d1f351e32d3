"""``FastForward``: call an image-to-image network in an opt-in fast mode
(``torch.compile``, bf16 / fp16 autocast), falling back to eager fp32 with a
logged message where the mode is not available."""
import logging
from typing import Callable, Optional

import torch
from mmengine.logging import print_log
from torch import nn

from .autocast_precision import autocast_dtype, check_precision


class FastForward:
    """``model(images)`` under autocast and / or ``torch.compile``, returned
    as float32.

    A plain callable, not a module: it holds a reference to ``model``, so
    the state dict of whatever owns ``model`` is unchanged. The precision
    is resolved on the first call on each device
    (:func:`~cpra_mm.utils.autocast_precision.autocast_dtype`: a device
    without the type runs in fp32, with one logged warning).

    ``compile=True`` compiles ``model`` with ``torch.compile`` (inductor) on
    the first call; compilation happens on the first call of each new input
    size (later sizes compile once for dynamic shapes). When no parameter
    of ``model`` requires a gradient (a frozen derainer), inductor's
    freezing is on: the weights become constants of the compiled code, which
    folds and pre-packs them (on a CPU the compiled ``fast`` preset is then
    about a fifth faster than eager); a weight changed in place afterwards
    (``load_state_dict``, an optimiser step) is noticed on the next call and
    the network is compiled again. When the compiled
    call raises (no C compiler, an unsupported backend, ...) while the eager
    call of the same input succeeds, one warning naming the error is logged
    and the network runs eagerly from then on; an error of the eager call
    (a bad input) is raised as usual.

    Meant for calls that record no gradient (inference); the network's mode
    (train / eval) is the caller's.

    Args:
        model: maps ``B x 3 x H x W`` float RGB in [0, 1] to the same shape
            (CPRAformer: clamped to [0, 1] in eval mode).
        precision: ``'fp32'``, ``'bf16'`` or ``'fp16'`` (autocast).
        compile: compile the network with ``torch.compile``.

    Raises:
        ValueError: an unknown ``precision``.
    """

    def __init__(self, model: nn.Module, precision: str = 'fp32', compile: bool = False) -> None:
        self.model = model
        self.precision = check_precision(precision)
        self.compile = compile
        self._compiled: Optional[Callable[[torch.Tensor], torch.Tensor]] = None
        self._compiled_weights: Optional[int] = None

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        """``B x 3 x H x W`` float in [0, 1] -> the network's output as
        float32, same shape (in [0, 1] for a network that clamps, as
        CPRAformer does in eval mode)."""
        dtype = autocast_dtype(self.precision, images.device)
        with torch.autocast(images.device.type, dtype=dtype, enabled=dtype is not None):
            restored = self._run(images) if self.compile else self.model(images)
        return restored.float()

    def _weights_version(self) -> Optional[int]:
        """The sum of the parameters' in-place version counters when none
        requires a gradient (frozen weights, compiled with freezing); None
        otherwise (weights that train are read at every call)."""
        parameters = list(self.model.parameters())
        if any(parameter.requires_grad for parameter in parameters):
            return None
        return sum(parameter._version for parameter in parameters)

    def _run(self, images: torch.Tensor) -> torch.Tensor:
        """The compiled call, or the eager one once compilation failed."""
        weights = self._weights_version()
        if self._compiled is None or weights != self._compiled_weights:
            if self._compiled is not None:
                # Frozen weights changed: the cached code holds the old ones
                # as constants, and dynamo's cache is per code object, shared
                # by every compiled wrapper of this module's forward.
                torch._dynamo.reset()
            frozen = weights is not None
            self._compiled = torch.compile(self.model,
                                           options={'freezing': True} if frozen else None)
            self._compiled_weights = weights
        try:
            return self._compiled(images)
        except Exception as error:  # compile errors have no common base class
            restored = self.model(images)
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ''
            print_log(f'torch.compile failed on device {images.device} '
                      f'({type(error).__name__}: {first_line}); running the network eagerly',
                      logger='current', level=logging.WARNING)
            self.compile = False
            return restored

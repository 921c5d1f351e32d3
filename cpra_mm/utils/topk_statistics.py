"""The K that each prompt gate of a CPRAformer picks, image by image.

Every block's sparse channel attention keeps, in each row of its ``c x c``
attention logits (``c``: channels per head), the ``K`` largest logits, with
``K = floor(c * mean(gate))`` clamped to [1, c] and chosen per image by the
block's :class:`~cpra_mm.models.layers.PromptGuidedTopK` ("dynamic
sparsity" in the paper). :func:`gate_choices` records that K with forward
hooks on the gates, leaving the network untouched.

Example::

    from cpra_mm.apis import init_derainer
    from cpra_mm.utils.topk_statistics import gate_choices

    model = init_derainer()
    for choice in gate_choices(model, images):    # images: B x 3 x H x W in [0, 1]
        print(choice.gate, choice.row_length, choice.k.tolist(), choice.share.tolist())
"""
from dataclasses import dataclass
from typing import Dict, List

import torch
from torch import nn

from cpra_mm.models.layers.prompt_guided_topk import PromptGuidedTopK


@dataclass(frozen=True)
class GateChoice:
    """What one prompt gate picked for each image of a batch.

    Attributes:
        gate: the gate's module name in the network, e.g.
            ``'encoder_level1.0.attn.spc.topk'``.
        row_length: ``c``, the logits of one attention row (the channels of
            one head), the largest K possible.
        k: ``B`` int64 tensor, K of each image, in ``[1, row_length]``.
        gate_mean: ``B`` float tensor in [0, 1], the gate's mean over each
            image before rounding (``K = floor(gate_mean * c)``, clamped).
    """
    gate: str
    row_length: int
    k: torch.Tensor
    gate_mean: torch.Tensor

    @property
    def share(self) -> torch.Tensor:
        """``B`` float tensor, K as a share of the row, in ``(0, 1]``."""
        return self.k.double() / self.row_length


def prompt_gates(model: nn.Module) -> Dict[str, PromptGuidedTopK]:
    """``{module name: gate}`` of every :class:`PromptGuidedTopK` in
    ``model``, in the order of ``model.named_modules()``."""
    return {name: module for name, module in model.named_modules()
            if isinstance(module, PromptGuidedTopK)}


def gate_choices(model: nn.Module, images: torch.Tensor) -> List[GateChoice]:
    """Run ``model`` once on ``images`` and return the K each gate picked.

    The model runs in eval mode (its mode is restored afterwards) without
    gradients, as at inference: batch statistics of a reference-layout
    network are then not used, and each image's K depends on that image
    only.

    Args:
        model: a network holding :class:`PromptGuidedTopK` gates that maps
            ``B x 3 x H x W`` to an image, e.g. a
            :class:`~cpra_mm.models.CPRAformer`.
        images: ``B x 3 x H x W`` float RGB in [0, 1], on the model's
            device.

    Returns:
        One :class:`GateChoice` per gate, in the order of
        :func:`prompt_gates`.

    Raises:
        ValueError: ``model`` has no prompt gate.
        RuntimeError: a gate did not run exactly once in the forward pass.
    """
    gates = prompt_gates(model)
    if not gates:
        raise ValueError(f'{type(model).__name__} has no PromptGuidedTopK gate')
    seen: Dict[str, List[GateChoice]] = {name: [] for name in gates}

    def recorder(name: str):
        def hook(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
            logits, gate_mean = inputs
            row_length = logits.shape[-1]
            k = (gate_mean.detach() * row_length).floor().clamp(1, row_length).long()
            seen[name].append(GateChoice(name, row_length, k.cpu(), gate_mean.detach().cpu()))
        return hook

    handles = [gate.register_forward_hook(recorder(name)) for name, gate in gates.items()]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(images)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    wrong = {name: len(calls) for name, calls in seen.items() if len(calls) != 1}
    if wrong:
        raise RuntimeError(f'each gate must run once per forward pass; calls: {wrong}')
    return [calls[0] for calls in seen.values()]

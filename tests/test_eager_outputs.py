"""The faster eager network computes what the network computed before the
speed work: outputs recorded then (tests/eager_reference.py) are matched to
1e-5 in fp32, in eval and in train mode, for every preset and layout."""
import pytest
import torch
from torch import nn

from cpra_mm.models.layers.cross_alignment_gates import ChannelGate, SpatialGate
from eager_reference import CASES, RECORDING, random_weight_model, reference_input

TOLERANCE = 1e-5


@pytest.fixture(scope='module')
def recorded():
    return torch.load(RECORDING)


@pytest.mark.parametrize('preset,layout', CASES)
@pytest.mark.parametrize('mode', ['eval', 'train'])
def test_outputs_match_the_recording(recorded, preset, layout, mode):
    model = random_weight_model(preset, layout)
    getattr(model, mode)()
    with torch.no_grad():
        output = model(reference_input())
    difference = (output - recorded[f'{preset}|{layout}|{mode}']).abs().max().item()
    assert difference <= TOLERANCE, f'{preset}/{layout}/{mode}: max abs difference {difference:.2e}'


def biases_before_batch_norm(model: nn.Module) -> set:
    """Names of the gate biases that feed a BatchNorm directly (the
    reference layout's gates): in training the batch mean subtracts them
    again, so their gradient is zero but for rounding (whose sign and size
    depend on the thread count)."""
    return {f'{name}.reduce.bias' for name, module in model.named_modules()
            if isinstance(module, (SpatialGate, ChannelGate))
            and isinstance(module.norm, nn.BatchNorm2d) and module.reduce.bias is not None}


@pytest.mark.parametrize('layout', ['reference', 'corrected'])
def test_every_trainable_parameter_gets_a_gradient(layout):
    model = random_weight_model('tiny', layout).train()
    model(reference_input()).square().mean().backward()
    parameters = dict(model.named_parameters())
    cancelled = biases_before_batch_norm(model)
    assert bool(cancelled) == (layout == 'reference')
    for name in cancelled:
        assert parameters[name].grad.abs().max() < 1e-5, name
    missing = [name for name, parameter in parameters.items() if name not in cancelled
               and (parameter.grad is None or not parameter.grad.abs().sum() > 0)]
    if layout == 'reference':
        # The reference code's prompt gate gets no gradient (defect B1).
        missing = [name for name in missing if '.topk.' not in name]
    assert not missing, missing

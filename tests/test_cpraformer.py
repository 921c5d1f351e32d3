"""Contract of the CPRAformer network (docs/architecture.md, defects B1-B8)."""
import pytest
import torch

from cpra_mm.models import LAYOUTS, CPRAformer
from cpra_mm.models.layers import PromptGuidedTopK, SparsePromptChannelAttention

PAPER_REFERENCE_PARAMETERS = 27_450_148  # the authors' 29,273,188 minus their unused 1,823,040


def count(model):
    return sum(p.numel() for p in model.parameters())


def test_reference_preset_has_the_authors_parameter_count():
    assert count(CPRAformer('paper', layout='reference')) == PAPER_REFERENCE_PARAMETERS


@pytest.mark.parametrize('layout', sorted(LAYOUTS))
@pytest.mark.parametrize('size', [(1, 1), (17, 31), (64, 64), (9, 8)])
def test_shape_and_range_contract(layout, size):
    model = CPRAformer('tiny', layout=layout).eval()
    image = torch.rand(2, 3, *size)
    with torch.no_grad():
        out = model(image)
    assert out.shape == image.shape
    assert torch.isfinite(out).all()
    assert out.min() >= 0 and out.max() <= 1


def test_training_output_is_not_clamped_and_has_global_residual():
    model = CPRAformer('tiny', layout='corrected')
    torch.nn.init.zeros_(model.output.weight)
    image = torch.rand(1, 3, 16, 16) * 3 - 1
    assert torch.equal(model.train()(image), image)


@pytest.mark.parametrize('layout', sorted(LAYOUTS))
def test_batch_independence_in_eval(layout):
    model = CPRAformer('tiny', layout=layout).eval()
    batch = torch.rand(4, 3, 24, 40)
    batch[1:] = batch[1:] * 0.1  # very different neighbours change any batch-averaged K
    with torch.no_grad():
        alone = model(batch[:1])
        together = model(batch)[:1]
    assert (alone - together).abs().max() < 1e-5


@pytest.mark.parametrize('layout', sorted(LAYOUTS))
@pytest.mark.parametrize('fill', [0.0, 1.0, 0.5])
def test_no_nan_on_constant_images(layout, fill):
    model = CPRAformer('tiny', layout=layout).eval()
    with torch.no_grad():
        out = model(torch.full((1, 3, 16, 24), fill))
    assert torch.isfinite(out).all()


def test_k_is_clamped_when_the_gate_is_forced_to_zero():
    topk = PromptGuidedTopK(channels=8)
    logits = torch.randn(2, 1, 6, 6)
    probs = topk(logits, torch.zeros(2))
    assert torch.isfinite(probs).all()
    # K clamps to 1: each row puts all its mass on its largest logit
    assert torch.equal(probs.argmax(-1), logits.argmax(-1))
    assert torch.allclose(probs.max(-1).values, torch.ones(2, 1, 6))
    # and with the gate at 1 every logit is kept (plain softmax)
    assert torch.allclose(topk(logits, torch.ones(2)), logits.softmax(-1))


def test_gate_forced_to_zero_in_a_whole_network_gives_finite_output():
    model = CPRAformer('tiny', layout='reference').eval()
    for module in model.modules():
        if isinstance(module, PromptGuidedTopK):
            torch.nn.init.constant_(module.expand.bias, -1e4)
    with torch.no_grad():
        out = model(torch.rand(1, 3, 16, 16))
    assert torch.isfinite(out).all()


def test_k_is_per_image():
    topk = PromptGuidedTopK(channels=8)
    logits = torch.randn(2, 1, 6, 6)
    probs = topk(logits, torch.tensor([1 / 6, 1.0]))
    assert ((probs[0] > 0).sum(-1) == 1).all()
    assert ((probs[1] > 0).sum(-1) == 6).all()


def test_straight_through_forward_equals_hard_top_k():
    hard = PromptGuidedTopK(channels=8, estimator='truncate')
    soft = PromptGuidedTopK(channels=8, estimator='straight_through')
    logits = torch.randn(3, 2, 8, 8, requires_grad=True)
    gate = torch.tensor([0.3, 0.55, 0.9], requires_grad=True)
    assert torch.allclose(soft(logits, gate), hard(logits, gate), atol=1e-6)


def test_corrected_gate_parameters_receive_gradient():
    model = CPRAformer('tiny', layout='corrected').train()
    image = torch.rand(2, 3, 16, 16)
    model(image).sub(image.flip(-1)).abs().mean().backward()
    gates = [m for m in model.modules() if isinstance(m, PromptGuidedTopK)]
    for gate in gates:
        for p in (gate.reduce.weight, gate.expand.weight, gate.expand.bias):
            assert p.grad is not None and p.grad.abs().sum() > 0


def test_reference_gate_gets_no_gradient_as_in_the_authors_code():
    model = CPRAformer('tiny', layout='reference').train()
    image = torch.rand(2, 3, 16, 16)
    model(image).mean().backward()
    gate = next(m for m in model.modules() if isinstance(m, PromptGuidedTopK))
    assert gate.expand.weight.grad is None or gate.expand.weight.grad.abs().sum() == 0


def test_corrected_layout_trains_with_batch_size_one():
    model = CPRAformer('tiny', layout='corrected').train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    image, target = torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16)
    before = [p.detach().clone() for p in model.parameters()]
    loss = (model(image) - target).abs().mean()
    loss.backward()
    optimizer.step()
    assert torch.isfinite(loss)
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_reference_layout_fails_with_batch_size_one_in_training_as_documented():
    model = CPRAformer('tiny', layout='reference').train()
    with pytest.raises(ValueError, match='Expected more than 1 value per channel'):
        model(torch.rand(1, 3, 16, 16))


def test_attention_output_is_one_matmul_scaled_by_the_sum_of_the_scales():
    attention = SparsePromptChannelAttention(8, num_heads=2, num_output_scales=4).eval()
    z = torch.rand(1, 8, 6, 6)
    with torch.no_grad():
        base = attention(z)
        attention.output_scales.copy_(torch.tensor([1.0, 2.0, 3.0, 4.0]))
        scaled = attention(z)
    assert torch.allclose(scaled, base * 10 / 0.8, atol=1e-5)


def test_autocast_bfloat16_on_cpu():
    model = CPRAformer('tiny', layout='corrected').eval()
    image = torch.rand(1, 3, 20, 20)
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        out = model(image)
    assert out.shape == image.shape and torch.isfinite(out).all()
    with torch.no_grad():
        full = model(image)
    assert (out.float() - full).abs().max() < 0.1


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
def test_cuda_autocast(dtype):
    model = CPRAformer('tiny', layout='corrected').cuda().eval()
    image = torch.rand(2, 3, 33, 47, device='cuda')
    with torch.no_grad(), torch.autocast('cuda', dtype=dtype):
        out = model(image)
    assert out.shape == image.shape and torch.isfinite(out).all()


@pytest.mark.parametrize('bad, error', [
    (torch.rand(3, 16, 16), ValueError),
    (torch.rand(1, 4, 16, 16), ValueError),
    (torch.randint(0, 255, (1, 3, 16, 16), dtype=torch.uint8), TypeError),
    (torch.rand(0, 3, 16, 16), ValueError),
])
def test_bad_input_gets_a_clear_error(bad, error):
    with pytest.raises(error, match='CPRAformer'):
        CPRAformer('tiny')(bad)


def test_unknown_preset_or_layout_is_named():
    with pytest.raises(ValueError, match='preset'):
        CPRAformer('huge')
    with pytest.raises(ValueError, match='layout'):
        CPRAformer('tiny', layout='fast')

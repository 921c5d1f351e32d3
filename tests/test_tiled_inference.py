"""Tiled inference: exact for per-pixel models, blended seams, same API."""
import pytest
import torch

from cpra_mm.models import CPRAformer, TiledInference, tiled_forward


def test_pointwise_model_is_reproduced_exactly():
    def pointwise(x):
        return x * 2 + 1

    image = torch.rand(2, 3, 70, 53)
    out = tiled_forward(pointwise, image, tile_size=24, overlap=8)
    assert torch.allclose(out, pointwise(image), atol=1e-6)


def test_every_pixel_is_covered_once_weighted():
    calls = []

    def record(x):
        calls.append(tuple(x.shape[-2:]))
        return torch.ones_like(x)

    out = tiled_forward(record, torch.zeros(1, 3, 50, 50), tile_size=16, overlap=4)
    assert torch.allclose(out, torch.ones_like(out))
    assert all(shape == (16, 16) for shape in calls)
    assert len(calls) == 16  # starts 0, 12, 24, 34 in each direction


def test_seams_are_blended_not_cut():
    # a model whose output depends on its tile (a per-tile constant) shows
    # seams as jumps; blending turns each jump into a ramp over the overlap
    def tile_mean(x):
        return x.mean(dim=(-2, -1), keepdim=True).expand_as(x)

    ramp = torch.linspace(0, 1, 96).view(1, 1, 1, 96).expand(1, 3, 32, 96).contiguous()
    out = tiled_forward(tile_mean, ramp, tile_size=32, overlap=16)
    steps = (out[..., 1:] - out[..., :-1]).abs().max()
    tile_jump = 16 / 95  # difference of neighbouring tile means
    assert steps < tile_jump / 4


def test_small_images_run_whole_and_wrapper_keeps_the_api():
    model = CPRAformer('tiny').eval()
    image = torch.rand(1, 3, 40, 40)
    with torch.no_grad():
        assert torch.equal(TiledInference(model, tile_size=64)(image), model(image))
        tiled = TiledInference(model, tile_size=32, overlap=8)(torch.rand(1, 3, 72, 40))
    assert tiled.shape == (1, 3, 72, 40)


def test_cpraformer_tiles_agree_with_whole_image_on_smooth_input():
    model = CPRAformer('tiny', layout='corrected').eval()
    y, x = torch.meshgrid(torch.linspace(0, 1, 96), torch.linspace(0, 1, 96), indexing='ij')
    image = torch.stack([x, y, (x + y) / 2])[None]
    with torch.no_grad():
        whole = model(image)
        tiled = tiled_forward(model, image, tile_size=64, overlap=16)
    assert (whole - tiled).abs().mean() < 0.02


@pytest.mark.parametrize('tile, overlap', [(0, 0), (16, 16), (16, -1)])
def test_bad_tiling_arguments_are_named(tile, overlap):
    with pytest.raises(ValueError, match='tile_size|overlap'):
        tiled_forward(lambda x: x, torch.rand(1, 3, 40, 40), tile_size=tile, overlap=overlap)

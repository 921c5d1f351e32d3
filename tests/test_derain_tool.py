"""Tests of tools/derain.py, run in-process through its main()."""
import hashlib
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from cpra_mm.models import CPRAformer
from tool_loading import load_tool

CONFIG_TEXT = """
model = dict(
    type='DerainRestorer',
    generator=dict(type='CPRAformer', preset='tiny'),
    pixel_loss=dict(type='CharbonnierLoss', loss_weight=1.0))
"""
HEIGHT, WIDTH = 24, 40
READABLE = ['alpha.png', 'photo.jpg', 'sub/deep16.png', 'sub/gray.png']


@pytest.fixture(scope='module')
def tool():
    yield load_tool('derain')
    del sys.modules['derain']


@pytest.fixture(scope='module')
def model_args(tmp_path_factory) -> list:
    """--config/--checkpoint/--device options for a tiny network saved as an
    MMagic training checkpoint."""
    root = tmp_path_factory.mktemp('model')
    torch.manual_seed(0)
    state = CPRAformer(preset='tiny').state_dict()
    checkpoint = root / 'iter_10.pth'
    torch.save({'meta': {'iter': 10},
                'state_dict': {f'generator.{k}': v for k, v in state.items()}}, checkpoint)
    config = root / 'cpraformer_tiny.py'
    config.write_text(CONFIG_TEXT)
    return ['--config', str(config), '--checkpoint', str(checkpoint), '--device', 'cpu']


def _gradient(channels: int, dtype=np.uint8) -> np.ndarray:
    """A smooth image spanning most of the dtype's range."""
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    planes = [(0.1 + 0.8 * (xx / WIDTH + c * yy / HEIGHT) / (1 + c)) for c in range(channels)]
    image = np.stack(planes, axis=-1) * np.iinfo(dtype).max
    return np.round(image).astype(dtype).squeeze()


def _write(path: Path, image: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), image)


def _read(path: Path) -> np.ndarray:
    return cv2.imread(str(path), cv2.IMREAD_UNCHANGED)


def _digests(root: Path) -> dict:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob('*')) if path.is_file()}


@pytest.fixture
def folder(tmp_path) -> Path:
    """rainy/ with an RGB JPEG, an RGBA PNG, a grayscale PNG, a 16-bit RGB
    PNG and a note that is not an image."""
    src = tmp_path / 'rainy'
    _write(src / 'photo.jpg', _gradient(3))
    alpha = _gradient(4)
    alpha[..., 3] = np.random.default_rng(0).integers(0, 256, (HEIGHT, WIDTH))
    _write(src / 'alpha.png', alpha)
    _write(src / 'sub' / 'gray.png', _gradient(1))
    _write(src / 'sub' / 'deep16.png', _gradient(3, np.uint16))
    (src / 'notes.txt').write_text('not an image')
    return src


def test_documented_conversions_and_failures(tool, folder, model_args, tmp_path, capsys):
    (folder / 'sub' / 'broken.png').write_bytes(np.random.default_rng(1).bytes(300))
    before = _digests(folder)
    out = tmp_path / 'derained'

    assert tool.main([str(folder), '--out-dir', str(out), *model_args]) == 1

    err = capsys.readouterr().err
    assert err.count('broken.png') == 2  # when it failed, and in the summary
    assert '4 derained, 0 skipped, 1 failed' in err
    assert _digests(folder) == before
    assert sorted(_digests(out)) == READABLE

    photo = _read(out / 'photo.jpg')
    assert photo.dtype == np.uint8 and photo.shape == (HEIGHT, WIDTH, 3)
    gray = _read(out / 'sub' / 'gray.png')
    assert gray.dtype == np.uint8 and gray.shape == (HEIGHT, WIDTH)
    alpha_in, alpha_out = _read(folder / 'alpha.png'), _read(out / 'alpha.png')
    assert alpha_out.dtype == np.uint8 and alpha_out.shape == (HEIGHT, WIDTH, 4)
    np.testing.assert_array_equal(alpha_out[..., 3], alpha_in[..., 3])
    assert not np.array_equal(alpha_out[..., :3], alpha_in[..., :3])
    deep = _read(out / 'sub' / 'deep16.png')
    assert deep.dtype == np.uint16 and deep.shape == (HEIGHT, WIDTH, 3)
    assert len(np.unique(deep)) > 256
    assert (deep % 257 != 0).any()  # not 8-bit levels scaled up


def test_output_matches_the_api(tool, folder, model_args, tmp_path):
    from cpra_mm.apis import derain, init_derainer
    out = tmp_path / 'derained'
    assert tool.main([str(folder / 'alpha.png'), '--out-dir', str(out), *model_args]) == 0
    model = init_derainer(model_args[1], model_args[3])
    rgb = cv2.cvtColor(_read(folder / 'alpha.png'), cv2.COLOR_BGRA2RGB)
    expected = cv2.cvtColor(derain(model, rgb), cv2.COLOR_RGB2BGR)
    assert np.abs(_read(out / 'alpha.png')[..., :3].astype(int) - expected).max() <= 1


def test_fast_mode_flags_reach_the_model(tool, folder, model_args, tmp_path, monkeypatch):
    from cpra_mm.apis import init_derainer
    calls = []

    def without_compiling(*args, **kwargs):  # compiling is tested in test_fast_modes.py
        calls.append(kwargs)
        return init_derainer(*args, **{**kwargs, 'compile': False})

    monkeypatch.setattr(tool, 'init_derainer', without_compiling)
    image = str(folder / 'alpha.png')
    assert tool.main([image, '--out-dir', str(tmp_path / 'fp32'), *model_args]) == 0
    assert tool.main([image, '--out-dir', str(tmp_path / 'bf16'), '--precision', 'bf16',
                      '--compile', *model_args]) == 0
    assert [(c['precision'], c['compile']) for c in calls] == [('fp32', False), ('bf16', True)]
    fp32, bf16 = (_read(tmp_path / mode / 'alpha.png').astype(int) for mode in ('fp32', 'bf16'))
    assert np.abs(bf16 - fp32).max() <= 0.1 * 255  # the tiny network's bf16 tolerance


@pytest.mark.parametrize('where', ['same', 'inside', 'file_folder', 'recursive_glob'])
def test_unsafe_out_dir_is_refused(tool, folder, model_args, capsys, where):
    inputs, out_dir = {
        'same': (str(folder), folder),
        'inside': (str(folder), folder / 'sub' / 'derained'),
        'file_folder': (str(folder / 'photo.jpg'), folder),
        'recursive_glob': (str(folder / '**' / '*.png'), folder / 'derained'),
    }[where]
    before = _digests(folder)
    assert tool.main([inputs, '--out-dir', str(out_dir), *model_args]) == 2
    err = capsys.readouterr().err
    assert 'error:' in err and str(folder) in err
    assert _digests(folder) == before


def test_colliding_outputs_are_refused(tool, folder, model_args, tmp_path, capsys):
    twin = tmp_path / 'twin'
    _write(twin / 'photo.jpg', _gradient(3))
    out = tmp_path / 'derained'
    assert tool.main([str(folder), str(twin), '--out-dir', str(out), *model_args]) == 2
    assert 'would both be written' in capsys.readouterr().err
    assert not out.exists()


def test_glob_input(tool, folder, model_args, tmp_path):
    out = tmp_path / 'derained'
    pattern = str(folder / '**' / 'g*.png')
    assert tool.main([pattern, '--out-dir', str(out), *model_args]) == 0
    assert sorted(_digests(out)) == ['sub/gray.png']


def test_skip_existing(tool, folder, model_args, tmp_path, capsys):
    out = tmp_path / 'derained'
    args = [str(folder), '--out-dir', str(out), '--skip-existing', *model_args]
    assert tool.main(args) == 0
    first = _digests(out)
    (out / 'photo.jpg').write_bytes(b'kept as is')
    (out / 'sub' / 'gray.png').unlink()
    capsys.readouterr()

    assert tool.main(args) == 0
    assert '1 derained, 3 skipped, 0 failed' in capsys.readouterr().err
    assert (out / 'photo.jpg').read_bytes() == b'kept as is'
    assert _digests(out)['sub/gray.png'] == first['sub/gray.png']


def test_compare_writes_side_by_side(tool, folder, model_args, tmp_path):
    out = tmp_path / 'derained'
    assert tool.main([str(folder), '--out-dir', str(out), '--compare', *model_args]) == 0
    written = sorted(_digests(out / 'compare'))
    assert written == [f'{name}.png' for name in READABLE]
    pair = _read(out / 'compare' / 'alpha.png.png')
    assert pair.dtype == np.uint8 and pair.shape == (HEIGHT, 2 * WIDTH, 3)
    np.testing.assert_array_equal(pair[:, :WIDTH], _read(folder / 'alpha.png')[..., :3])
    np.testing.assert_array_equal(pair[:, WIDTH:], _read(out / 'alpha.png')[..., :3])
    deep_pair = _read(out / 'compare' / 'sub' / 'deep16.png.png')
    assert deep_pair.dtype == np.uint8 and deep_pair.shape == (HEIGHT, 2 * WIDTH, 3)


def test_ranks_split_the_files(tool, folder, model_args, tmp_path, monkeypatch, capsys):
    jobs = tool.plan_jobs([str(folder)], tmp_path / 'planned', compare=False)
    shards = [tool.shard_jobs(jobs, tool.Shard(rank, 3, rank)) for rank in range(3)]
    assert sorted(job.source for shard in shards for job in shard) == sorted(
        job.source for job in jobs)
    assert len(jobs) == sum(len(shard) for shard in shards) == len(READABLE)

    out = tmp_path / 'derained'
    written = []
    monkeypatch.setenv('WORLD_SIZE', '2')
    for rank in ('0', '1'):
        monkeypatch.setenv('RANK', rank)
        monkeypatch.setenv('LOCAL_RANK', rank)
        already = set(_digests(out)) if out.exists() else set()
        assert tool.main([str(folder), '--out-dir', str(out), *model_args]) == 0
        written.append(set(_digests(out)) - already)
        assert f'[rank {rank}] 2 derained' in capsys.readouterr().err
    assert not written[0] & written[1]
    assert sorted(written[0] | written[1]) == READABLE


def test_bad_rank_and_options_are_usage_errors(tool, folder, model_args, tmp_path, monkeypatch,
                                               capsys):
    out = tmp_path / 'derained'
    assert tool.main([str(folder), '--out-dir', str(out), '--tile-size', '16', '--overlap', '16',
                      *model_args]) == 2
    assert '--overlap' in capsys.readouterr().err
    assert tool.main([str(tmp_path / 'missing'), '--out-dir', str(out), *model_args]) == 2
    assert 'missing' in capsys.readouterr().err
    assert tool.main([str(folder), '--out-dir', str(out), '--checkpoint',
                      str(tmp_path / 'none.pth')]) == 2
    assert 'none.pth' in capsys.readouterr().err
    monkeypatch.setenv('RANK', '2')
    monkeypatch.setenv('WORLD_SIZE', '2')
    assert tool.main([str(folder), '--out-dir', str(out), *model_args]) == 2
    assert 'RANK' in capsys.readouterr().err
    assert not out.exists()


def test_help_documents_image_handling(tool, capsys):
    with pytest.raises(SystemExit) as exit_info:
        tool.main(['--help'])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for topic in ('grayscale', 'RGBA', 'alpha', '16-bit', '--skip-existing', '--compare',
                  'WORLD_SIZE'):
        assert topic in text

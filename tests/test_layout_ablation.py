"""The layout ablation (configs/layout_ablation, tools/analysis/layout_ablation.py),
the K statistics of the prompt gates (cpra_mm.utils.topk_statistics,
tools/analysis/gate_statistics.py) and shipping a reference-layout model
(tools/export_weights.py, then tools/derain.py)."""
import csv
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np
import pytest
import torch
import yaml

pytest.importorskip('mmagic')

from mmengine.config import Config  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402

import cpra_mm.edit  # noqa: E402,F401
from cpra_mm.apis import derain, init_derainer  # noqa: E402
from cpra_mm.models import LAYOUTS, CPRAformer  # noqa: E402
from cpra_mm.utils.topk_statistics import gate_choices, prompt_gates  # noqa: E402
from cpra_mm.utils.training_scalars import read_scalars  # noqa: E402
from mmagic.registry import MODELS  # noqa: E402
from photos_run import smooth_photo  # noqa: E402
from tool_loading import load_tool  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ARM_DIR = REPO / 'configs' / 'layout_ablation'
ARM_CONFIGS = sorted(ARM_DIR.glob('*.py'))
RECIPE = (REPO / 'configs' / 'cpraformer'
          / 'cpraformer_small-corrected_1xb8-1500iter_photo-corpus.py')
REFERENCE_ARM = ARM_DIR / 'cpraformer_small-reference_1xb8-480iter_photo-corpus.py'
EXPECTED_NETWORKS = {
    'reference': LAYOUTS['reference'],
    'corrected': LAYOUTS['corrected'],
    'corrected-truncate': dict(LAYOUTS['corrected'], topk_estimator='truncate'),
    'corrected-reffreq': dict(LAYOUTS['corrected'], frequency_stage='reference'),
    'corrected-batchnorm': dict(LAYOUTS['corrected'], gate_norm='batch'),
}
ARM_KEYS = ('ablation_arm', 'experiment_name', 'work_dir', 'model', 'filename', 'text')
"""Config entries allowed to differ between the arms."""


def load_analysis_tool(name: str) -> ModuleType:
    """Import ``tools/analysis/<name>.py`` as module ``name``."""
    spec = importlib.util.spec_from_file_location(name, REPO / 'tools' / 'analysis' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def ablation():
    yield load_analysis_tool('layout_ablation')
    del sys.modules['layout_ablation']


def write_corpus(root: Path) -> Path:
    """A photo corpus of 100 px images: 2 train, 1 val, 2 test, with the
    meta lists and the manifest the configs and the held-out set read."""
    rng = np.random.default_rng(0)
    splits = {'train': ['fake/train0.png', 'fake/train1.png'], 'val': ['fake/val0.png'],
              'test': ['fake/test0.png', 'fake/test1.png']}
    (root / 'images' / 'fake').mkdir(parents=True)
    (root / 'meta').mkdir()
    with (root / 'manifest.csv').open('w', newline='') as handle:
        writer = csv.writer(handle)
        writer.writerow(['file', 'split'])
        for split, names in splits.items():
            for name in names:
                cv2.imwrite(str(root / 'images' / name), smooth_photo(rng, 100))
                writer.writerow([f'images/{name}', split])
            (root / 'meta' / f'{split}.txt').write_text('\n'.join(names) + '\n')
    return root


# --------------------------------------------------------------------------
# Arm configs
# --------------------------------------------------------------------------

def test_there_is_one_config_per_arm():
    arms = [Config.fromfile(str(path), import_custom_modules=False).ablation_arm
            for path in ARM_CONFIGS]
    assert sorted(arms) == sorted(EXPECTED_NETWORKS)


@pytest.mark.parametrize('path', ARM_CONFIGS, ids=lambda p: p.name)
def test_arm_config_builds_its_network(path: Path):
    cfg = Config.fromfile(str(path))
    arm = cfg.ablation_arm
    assert path.stem == cfg.experiment_name == f'cpraformer_small-{arm}_1xb8-480iter_photo-corpus'
    assert Path(cfg.work_dir) == Path('work_dirs/layout_ablation') / arm
    assert cfg.load_from is None
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'DerainRestorer'
    network = model.generator
    assert isinstance(network, CPRAformer) and network.preset == 'small'
    assert {key: network.config[key] for key in EXPECTED_NETWORKS[arm]} == EXPECTED_NETWORKS[arm]


def test_arms_share_schedule_seed_and_data():
    """Everything but the network and the names is the same in every arm,
    and the schedule is the recipe's scaled to 480 iterations."""
    shared = []
    for path in ARM_CONFIGS:
        cfg = Config.fromfile(str(path), import_custom_modules=False).to_dict()
        shared.append({key: value for key, value in cfg.items() if key not in ARM_KEYS})
    assert all(entry == shared[0] for entry in shared[1:])
    recipe = Config.fromfile(str(RECIPE), import_custom_modules=False)
    first = shared[0]
    assert first['train_cfg']['max_iters'] == 480 and first['randomness'] == recipe.randomness
    assert first['train_dataloader'] == recipe.train_dataloader.to_dict()
    assert first['optim_wrapper'] == recipe.optim_wrapper.to_dict()
    warmup, cosine = first['param_scheduler']
    assert warmup['end'] == cosine['begin'] and cosine['end'] == 480
    assert cosine['T_max'] == cosine['end'] - cosine['begin']
    assert first['custom_hooks'][0]['begin_iter'] <= 480


def test_short_schedule_scales_every_iteration_count(ablation):
    cfg = Config.fromfile(str(REFERENCE_ARM), import_custom_modules=False)
    options = ablation.parse_cfg_options(ablation.short_schedule_options(cfg, 48))
    cfg.merge_from_dict(options)
    assert cfg.train_cfg.max_iters == 48 and cfg.train_cfg.val_interval == 6
    assert cfg.default_hooks.checkpoint.interval == 12
    assert cfg.default_hooks.logger.interval == cfg.log_processor.window_size == 1
    warmup, cosine = cfg.param_scheduler
    assert (warmup.begin, warmup.end, cosine.begin, cosine.end, cosine.T_max) == (0, 3, 3, 48, 45)
    assert cfg.custom_hooks[0].begin_iter == 12
    with pytest.raises(ValueError, match='at least 2'):
        ablation.short_schedule_options(cfg, 1)


# --------------------------------------------------------------------------
# K statistics
# --------------------------------------------------------------------------

@pytest.mark.parametrize('layout', sorted(LAYOUTS))
def test_gate_choices_give_one_k_per_block_and_image_within_the_row(layout: str):
    model = CPRAformer('tiny', layout=layout).train()
    images = torch.rand(3, 3, 32, 40)
    kept = {}
    hooks = [gate.register_forward_hook(
        lambda module, inputs, output, name=name: kept.__setitem__(name, (output > 0).sum(-1)))
        for name, gate in prompt_gates(model).items()]
    choices = gate_choices(model, images)
    for hook in hooks:
        hook.remove()
    assert model.training, 'the model\'s mode must be restored'
    assert [choice.gate for choice in choices] == list(prompt_gates(model))
    assert len(choices) == 8  # the tiny preset: one block per level, 7 levels + refinement
    for choice in choices:
        assert choice.k.shape == (3,) and choice.k.dtype == torch.int64
        assert ((choice.k >= 1) & (choice.k <= choice.row_length)).all()
        assert torch.allclose(choice.share, choice.k.double() / choice.row_length)
        # the hard top-K the gate applied kept exactly K logits in every row
        rows = kept[choice.gate].flatten(1)
        assert (rows == choice.k[:, None]).all(), choice.gate


def test_gate_choices_need_a_gate():
    with pytest.raises(ValueError, match='no PromptGuidedTopK'):
        gate_choices(torch.nn.Identity(), torch.rand(1, 3, 8, 8))


def test_read_scalars_joins_resumed_runs(tmp_path: Path):
    first = tmp_path / '20260101_000000' / 'vis_data'
    second = tmp_path / '20260101_010000' / 'vis_data'
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    (first / 'scalars.json').write_text(
        '{"loss": 0.5, "lr": 0.1, "iter": 10, "step": 10}\n'
        '{"loss": 0.4, "iter": 20, "step": 20}\n{"val/PSNR": 20.0, "step": 20}\n')
    (second / 'scalars.json').write_text('{"loss": 0.3, "iter": 20, "step": 20}\n'
                                         '{"loss": 0.2, "iter": 30, "step": 30}\n')
    scalars = read_scalars(tmp_path)
    assert scalars == {'loss': [(10, 0.5), (20, 0.3), (30, 0.2)], 'lr': [(10, 0.1)],
                       'val/PSNR': [(20, 20.0)]}
    (second / 'scalars.json').write_text('{"loss": 0.1}\n')
    with pytest.raises(ValueError, match='scalars.json:1'):
        read_scalars(tmp_path)


# --------------------------------------------------------------------------
# Reference-layout weights: export, then tools/derain.py
# --------------------------------------------------------------------------

@pytest.fixture(scope='module')
def reference_weights(tmp_path_factory) -> Path:
    """A tiny reference-layout network as tools/export_weights.py --config
    exports it from a training checkpoint of the reference arm's config."""
    root = tmp_path_factory.mktemp('reference')
    torch.manual_seed(0)
    network = CPRAformer('tiny', layout='reference')
    for module in network.modules():  # trained-looking BatchNorm statistics
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
    checkpoint = root / 'iter_2.pth'
    torch.save({'meta': {'iter': 2},
                'state_dict': {f'generator.{k}': v for k, v in network.state_dict().items()}},
               checkpoint)
    config = root / 'cpraformer_tiny-reference.py'
    config.write_text(f"_base_ = ['{REFERENCE_ARM}']\n"
                      "model = dict(generator=dict(preset='tiny'))\n")
    exported = root / 'cpraformer_tiny-reference.pth'
    export = load_tool('export_weights')
    try:
        assert export.main([str(checkpoint), str(exported), '--config', str(config)]) == 0
    finally:
        del sys.modules['export_weights']
    return exported


def test_exported_reference_weights_load_without_a_config(reference_weights: Path):
    model = init_derainer(None, reference_weights)
    assert model.layout == 'reference' and model.config['gate_norm'] == 'batch'


@pytest.mark.parametrize('arm', ['reference', 'corrected'])
def test_shipped_ablation_weights_load_with_their_layout(arm: str):
    """The shipped arms' weights (named after their configs) build the
    arm's network from their meta alone and derain a small image."""
    name = f'cpraformer_small-{arm}_1xb8-480iter_photo-corpus'
    model = init_derainer(None, REPO / 'cpra_mm' / 'weights' / f'{name}.pth')
    assert model.preset == 'small' and model.layout == arm
    restored = derain(model, smooth_photo(np.random.default_rng(2), 32))
    assert restored.shape == (32, 32, 3) and restored.dtype == np.uint8


def test_derain_tool_runs_exported_reference_weights(reference_weights: Path, tmp_path: Path):
    rainy = smooth_photo(np.random.default_rng(1), 48)
    cv2.imwrite(str(tmp_path / 'rainy.png'), rainy)
    tool = load_tool('derain')
    try:
        code = tool.main([str(tmp_path / 'rainy.png'), '--out-dir', str(tmp_path / 'out'),
                          '--checkpoint', str(reference_weights), '--device', 'cpu'])
    finally:
        del sys.modules['derain']
    assert code == 0
    written = cv2.imread(str(tmp_path / 'out' / 'rainy.png'))
    rgb = cv2.cvtColor(rainy, cv2.COLOR_BGR2RGB)
    expected = derain(init_derainer(None, reference_weights), rgb)
    assert np.abs(cv2.cvtColor(written, cv2.COLOR_BGR2RGB).astype(int) - expected).max() <= 1


def test_gate_statistics_tool(reference_weights: Path, tmp_path: Path):
    corpus = write_corpus(tmp_path / 'corpus')
    tool = load_analysis_tool('gate_statistics')
    try:
        code = tool.main(['--corpus', str(corpus), '--checkpoint', str(reference_weights),
                          '--size', '64', '--out-dir', str(tmp_path / 'out')])
    finally:
        del sys.modules['gate_statistics']
    assert code == 0
    report = json.loads((tmp_path / 'out' / 'gate_statistics.json').read_text())
    assert report['images'] == ['fake/test0.png', 'fake/test1.png'] and len(report['gates']) == 8
    for condition in ('rainy', 'dry'):
        k = np.array(report['k'][condition])
        assert k.shape == (2, 8)
        assert ((k >= 1) & (k <= np.array(report['row_lengths']))).all()
    assert report['verdict'].startswith('K ')
    assert report['verdict'] in (tmp_path / 'out' / 'gate_statistics.md').read_text()
    assert (tmp_path / 'out' / 'gate_statistics.png').stat().st_size > 0


# --------------------------------------------------------------------------
# The ablation tool, end to end
# --------------------------------------------------------------------------

def test_ablation_tool_trains_evaluates_and_reports(ablation, tmp_path: Path, capsys):
    """Two arms trained side by side, two iterations of the tiny network on a
    tiny corpus; then a rerun that trains nothing."""
    corpus = write_corpus(tmp_path / 'corpus')
    section = f'{ablation.SECTION_BEGIN}\nplaceholder\n{ablation.SECTION_END}\n'
    doc, readme = tmp_path / 'doc.md', tmp_path / 'README.md'
    doc.write_text('# doc\n' + section)
    readme.write_text('# readme\n' + section + 'after\n')
    args = ['--arms', 'reference', 'corrected', '--max-iters', '2', '--parallel', '2',
            '--work-root', str(tmp_path / 'work'), '--corpus', str(corpus),
            '--cfg-options', 'model.generator.preset=tiny', 'train_dataloader.batch_size=2',
            'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
            # one validation and one checkpoint: each save formats the config (slow)
            'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
            'default_hooks.checkpoint.save_best=None',
            '--heldout-size', '64', '--latency-size', '64', '--warmup', '0', '--repeats', '1',
            '--out-dir', str(tmp_path / 'out'), '--doc', str(doc), '--readme', str(readme),
            '--metafile', str(tmp_path / 'metafile.yml')]
    assert ablation.main(args) == 0
    report = json.loads((tmp_path / 'out' / 'layout_ablation.json').read_text())
    assert list(report['arms']) == ['reference', 'corrected']
    for name, arm in report['arms'].items():
        assert Path(arm['checkpoint']) == tmp_path / 'work' / name / 'iter_2.pth'
        assert arm['heldout']['dry worst'] > 0 and arm['latency_s'] > 0
        assert arm['final_val_psnr'] is not None and arm['train_seconds'] > 0
        assert len(arm['per_image']) == 2
        assert [step for step, _ in read_scalars(arm['work_dir'])['loss']] == [1, 2]
    assert report['arms']['reference']['parameters'] != report['arms']['corrected']['parameters']
    assert (tmp_path / 'out' / 'layout_ablation_curves.png').stat().st_size > 0
    assert (tmp_path / 'doc_curves.png').is_file()
    assert 'placeholder' not in doc.read_text() and '![training curves' in doc.read_text()
    assert readme.read_text().endswith(f'{ablation.SECTION_END}\nafter\n')
    assert '| [corrected](' in readme.read_text()
    meta = yaml.safe_load((tmp_path / 'metafile.yml').read_text())
    assert [m['Results'][0]['Metrics']['Gain'] for m in meta['Models']] == [
        round(report['arms'][name]['heldout']['mean gain'], 2) for name in report['arms']]

    capsys.readouterr()
    assert ablation.main(args) == 0
    assert capsys.readouterr().out.count('not trained again') == 2

    doc.write_text('# doc\n' + section)
    assert ablation.main([*args, '--report-from',
                          str(tmp_path / 'out' / 'layout_ablation.json')]) == 0
    assert 'not trained again' not in capsys.readouterr().out
    written = doc.read_text()
    assert 'placeholder' not in written and '| reference | ' in written
    assert '`corrected` minus each other arm' in written


def test_paired_differences_compare_image_by_image(ablation):
    def arm(rainy, dry):
        return {'per_image': [{'image': f'{i}.png', 'derainer': r, 'derainer dry': d}
                              for i, (r, d) in enumerate(zip(rainy, dry))]}

    report = {'arms': {'corrected': arm([20, 22, 24], [40, 41, 42]),
                       'reference': arm([21, 22, 23], [38, 41, 40])}}
    (row,) = ablation.paired_differences(report)
    assert row['arm'] == 'reference'
    assert row['rainy']['mean'] == pytest.approx(0.0) and row['rainy']['higher'] == 1
    assert row['dry']['mean'] == pytest.approx(4 / 3) and row['dry']['higher'] == 2
    assert row['dry']['se'] == pytest.approx(np.std([2, 0, 2], ddof=1) / 3 ** 0.5)
    assert ablation.paired_differences(report, baseline='missing') == []

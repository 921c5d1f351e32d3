"""The pinned OpenMMLab stack works inside .venv: compiled mmcv ops, the three
model zoos, cpra_mm's registration in every scope, and Runner checkpoints on
the pinned torch."""
import importlib
import importlib.metadata
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope, init_default_scope
from mmengine.runner import Runner
from torch import nn
from torch.utils.data import Dataset

import cpra_mm
from cpra_mm.datasets.transforms import AddRain, KeepCleanCopy
from cpra_mm.downstream import JointDerainTaskModel
from cpra_mm.losses import FFTLoss, LaplacianEdgeLoss
from cpra_mm.models import CPRAformer


def test_mmcv_nms_known_result():
    from mmcv.ops import nms

    boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], dtype=torch.float32)
    scores = torch.tensor([0.9, 0.8, 0.7])
    dets, keep = nms(boxes, scores, iou_threshold=0.5)
    # boxes 0 and 1 overlap with IoU 81/119 = 0.68 > 0.5: box 1 is suppressed
    assert keep.tolist() == [0, 2]
    assert torch.allclose(dets[:, 4], torch.tensor([0.9, 0.7]))


def test_mmcv_roi_align_known_result():
    from mmcv.ops import roi_align

    feature = torch.arange(16, dtype=torch.float32).view(1, 1, 4, 4)
    rois = torch.tensor([[0, 0, 0, 4, 4]], dtype=torch.float32)
    pooled = roi_align(feature, rois, (2, 2), spatial_scale=1.0, sampling_ratio=1, pool_mode="avg",
                       aligned=False)
    # one sample at the centre of each 2x2 bin: bilinear values at (1, 1), (1, 3), (3, 1), (3, 3)
    expected = torch.tensor([[[[5.0, 7.0], [13.0, 15.0]]]])
    assert torch.allclose(pooled, expected)


@pytest.mark.parametrize('package, scope, stock_model', [
    ('mmagic.models', 'mmagic', 'BaseEditModel'),
    ('mmdet.models', 'mmdet', 'RetinaNet'),
    ('mmseg.models', 'mmseg', 'EncoderDecoder'),
])
def test_model_zoos_import_and_register_their_models(package, scope, stock_model):
    importlib.import_module(package)
    registry = importlib.import_module(f'{scope}.registry')
    assert stock_model in registry.MODELS.module_dict


PROMISED_MODELS = {'CPRAformer': CPRAformer, 'LaplacianEdgeLoss': LaplacianEdgeLoss,
                   'FFTLoss': FFTLoss, 'JointDerainTaskModel': JointDerainTaskModel}
PROMISED_TRANSFORMS = {'AddRain': AddRain, 'KeepCleanCopy': KeepCleanCopy}


@pytest.mark.parametrize('scope', ['cpra_mm', 'mmagic', 'mmdet', 'mmseg'])
def test_import_cpra_mm_registers_its_modules_in_every_scope(scope):
    """README: ``import cpra_mm`` registers the network, its losses, AddRain,
    KeepCleanCopy and JointDerainTaskModel in its own scope and in the
    mmagic, mmdet and mmseg registries."""
    registry = cpra_mm if scope == 'cpra_mm' else importlib.import_module(f'{scope}.registry')
    models, transforms = registry.MODELS.module_dict, registry.TRANSFORMS.module_dict
    assert {name: models.get(name) for name in PROMISED_MODELS} == PROMISED_MODELS
    assert {name: transforms.get(name) for name in PROMISED_TRANSFORMS} == PROMISED_TRANSFORMS


@pytest.mark.parametrize('glue, scope, kind, name', [
    ('cpra_mm.edit', 'mmagic', 'MODELS', 'DerainRestorer'),
    ('cpra_mm.det', 'mmdet', 'MODELS', 'DerainDetDataPreprocessor'),
    ('cpra_mm.det', 'mmdet', 'HOOKS', 'DerainDetVisualizationHook'),
    ('cpra_mm.seg', 'mmseg', 'MODELS', 'DerainSegDataPreProcessor'),
    ('cpra_mm.seg', 'mmseg', 'HOOKS', 'DerainSegVisualizationHook'),
])
def test_framework_glue_registers_in_its_framework_scope_only(glue, scope, kind, name):
    module = importlib.import_module(glue)
    registry = getattr(importlib.import_module(f'{scope}.registry'), kind)
    assert registry.module_dict.get(name) is getattr(module, name)
    assert name not in cpra_mm.MODELS.module_dict


def test_sharing_with_the_frameworks_is_idempotent_and_never_overwrites():
    from mmdet.registry import MODELS as DET_MODELS

    from cpra_mm.registry import FRAMEWORK_SCOPES, share_with_frameworks

    assert share_with_frameworks() == FRAMEWORK_SCOPES
    assert DET_MODELS.module_dict['CPRAformer'] is CPRAformer

    class Impostor(nn.Module):
        pass

    cpra_mm.MODELS.register_module(name='ImpostorOfRetinaNet', module=Impostor)
    DET_MODELS.register_module(name='ImpostorOfRetinaNet', module=nn.Identity)
    try:
        with pytest.raises(KeyError, match='ImpostorOfRetinaNet'):
            share_with_frameworks()
        assert DET_MODELS.module_dict['ImpostorOfRetinaNet'] is nn.Identity
    finally:
        for registry in (cpra_mm.MODELS, *(importlib.import_module(f'{scope}.registry').MODELS
                                          for scope in FRAMEWORK_SCOPES)):
            registry.module_dict.pop('ImpostorOfRetinaNet', None)


def test_import_cpra_mm_does_not_pull_mmagic_models():
    import subprocess

    code = ('import sys, cpra_mm; '
            'print(any(m.startswith(("mmagic.models", "diffusers")) for m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == 'False'


@pytest.mark.parametrize('scope', ['mmagic', 'mmdet', 'mmseg'])
def test_custom_imports_builds_in_each_scope(scope, tmp_path):
    cfg_file = tmp_path / 'cfg.py'
    cfg_file.write_text(
        "custom_imports = dict(imports=['cpra_mm'], allow_failed_imports=False)\n"
        f"default_scope = '{scope}'\n"
        "model = dict(type='CPRAformer', preset='tiny', layout='corrected')\n"
        "transform = dict(type='AddRain', seed=3)\n")
    cfg = Config.fromfile(str(cfg_file))
    registry_module = __import__(f'{scope}.registry', fromlist=['MODELS'])
    with DefaultScope.overwrite_default_scope(scope):
        init_default_scope(scope)
        model = registry_module.MODELS.build(cfg.model)
        transform = registry_module.TRANSFORMS.build(cfg.transform)
    assert isinstance(model, CPRAformer) and model.layout == 'corrected'
    assert type(transform).__name__ == 'AddRain'


def test_cpra_mm_scope_prefix_builds_from_any_scope():
    model = ROOT_MODELS.build(dict(type='cpra_mm.CPRAformer', preset='tiny'))
    assert isinstance(model, CPRAformer)
    from mmdet.registry import MODELS as DET_MODELS
    assert isinstance(DET_MODELS.build(dict(type='cpra_mm.CPRAformer', preset='tiny')), CPRAformer)


class _Regressor(BaseModel):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, x, mode='tensor'):
        out = self.linear(torch.stack(x))
        return {'loss': ((out - 1) ** 2).mean()} if mode == 'loss' else out


class _Ramp(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        return dict(x=torch.full((2,), float(i)))


def _runner(work_dir, max_iters, resume):
    return Runner(
        model=_Regressor(), work_dir=str(work_dir),
        train_dataloader=dict(dataset=_Ramp(), sampler=dict(type='DefaultSampler', shuffle=True),
                              batch_size=2, num_workers=0),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        param_scheduler=dict(type='LinearLR', start_factor=0.5, by_epoch=False, begin=0, end=3),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False)),
        resume=resume, default_scope='mmengine')


def test_runner_checkpoint_resumes_on_pinned_torch(tmp_path):
    first = _runner(tmp_path, 4, resume=False)
    first.train()
    weights = first.model.linear.weight.detach().clone()
    second = _runner(tmp_path, 6, resume=True)
    second.train()
    assert second.iter == 6
    # resuming restored the trained weights before the two extra iterations
    loaded = torch.load(tmp_path / 'iter_4.pth', map_location='cpu')
    assert torch.equal(loaded['state_dict']['linear.weight'], weights)
    assert loaded['message_hub']['log_scalars']


def test_checkpoint_allow_list_rejects_other_getattr(tmp_path):
    import pickle

    class Evil:
        def __reduce__(self):
            return getattr, (torch.Tensor, 'numpy')

    path = tmp_path / 'evil.pth'
    with open(path, 'wb') as f:
        pickle.dump({'x': Evil()}, f, protocol=2)
    with pytest.raises(Exception, match='HistoryBuffer|Weights only'):
        torch.load(path)


def test_version_matches_the_installed_metadata():
    """``cpra_mm.__version__`` is what setup.py installed (a stale install, or
    a version bumped in one place only, fails)."""
    assert cpra_mm.__version__ == importlib.metadata.version('cpra_mm')

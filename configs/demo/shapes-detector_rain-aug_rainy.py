# Rain-augmented fine-tuning, no derainer: the shipped demo detector
# (trained on clean images) fine-tuned on training images with fresh
# synthetic rain on every one (AddRain after image loading, the statistics
# of the test rain, drawn from numpy's state that randomness.seed seeds),
# with the study's budget (_base_/rain_finetune.py, the same as the joint
# config's). Tested on the rainy validation images of the rainy baseline
# (AddRain seed 0); shapes-detector_rain-aug_clean.py tests its checkpoint on
# the clean ones, shapes-detector_rain-aug_cpraformer-frozen_*.py behind the
# frozen derainer.
_base_ = ['./shapes-detector_rainy.py', './_base_/rain_finetune.py']
from cpra_mm.downstream.chain_config import add_rain  # noqa: E402
from cpra_mm.utils.shipped_weights import shipped_weights  # noqa: E402

model = dict(init_cfg=dict(type='Pretrained', checkpoint=shipped_weights('shapes_detector.pth')))

train_pipeline = add_rain(_base_.train_pipeline, **_base_.rain)
train_dataloader = dict(
    sampler=dict(type='InfiniteSampler'), dataset=dict(pipeline=train_pipeline))

train_cfg = dict(_delete_=True, **_base_.finetune_train_cfg)
param_scheduler = _base_.finetune_param_scheduler
optim_wrapper = dict(optimizer=dict(lr=_base_.finetune_lr))
default_hooks = _base_.finetune_hooks
log_processor = dict(by_epoch=False)

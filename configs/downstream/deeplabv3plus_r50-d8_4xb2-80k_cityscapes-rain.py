# Rainy baseline: the stock DeepLabV3+ (R50-D8, 512x1024 crops, 80k
# iterations) on Cityscapes with synthetic rain added to every image (fixed
# rain for val/test and TTA, fresh rain for training), no deraining. Rain
# is rendered on the image as loaded, like a photograph taken in the rain,
# before the pipeline resizes it.
_base_ = [
    'mmseg::deeplabv3plus/deeplabv3plus_r50-d8_4xb2-80k_cityscapes-512x1024.py',
    '../_base_/rain/synthetic_rain.py',
]
from cpra_mm.downstream.chain_config import add_rain  # noqa: E402

custom_imports = dict(imports=['cpra_mm'], allow_failed_imports=False)

train_pipeline = add_rain(_base_.train_pipeline, seed=None, **_base_.rain)
test_pipeline = add_rain(_base_.test_pipeline, seed=_base_.rain_test_seed, **_base_.rain)
tta_pipeline = add_rain(_base_.tta_pipeline, seed=_base_.rain_test_seed, **_base_.rain)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# Rainy baseline: the stock SegFormer (MiT-B0, 1024x1024 crops, 160k
# iterations) on Cityscapes with synthetic rain added to every image (fixed
# rain for val/test and TTA, fresh rain for training), no deraining. Rain
# is rendered on the image as loaded, like a photograph taken in the rain,
# before the pipeline resizes it.
_base_ = [
    'mmseg::segformer/segformer_mit-b0_8xb1-160k_cityscapes-1024x1024.py',
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

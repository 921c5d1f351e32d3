# Rainy baseline: the stock Faster R-CNN on COCO with synthetic rain added
# to every image (fixed rain for val/test, fresh rain for training), no
# deraining. Rain is rendered on the image as loaded, like a photograph
# taken in the rain, before the pipeline resizes it.
_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py', '../_base_/rain/synthetic_rain.py']
from cpra_mm.downstream.chain_config import add_rain  # noqa: E402

custom_imports = dict(imports=['cpra_mm'], allow_failed_imports=False)

train_pipeline = add_rain(_base_.train_pipeline, seed=None, **_base_.rain)
test_pipeline = add_rain(_base_.test_pipeline, seed=_base_.rain_test_seed, **_base_.rain)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

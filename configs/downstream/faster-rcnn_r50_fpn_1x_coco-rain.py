# Rainy baseline: the stock Faster R-CNN on COCO with synthetic rain added
# to every image (fixed rain for val/test, fresh rain for training), no
# deraining.
_base_ = [
    'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
    './_base_/synthetic_rain.py',
]
custom_imports = dict(imports=['cpra_mm'], allow_failed_imports=False)

# Rain is rendered on the image as loaded, like a photograph taken in the
# rain, before the pipeline resizes it.
train_pipeline = [
    _base_.train_pipeline[0],
    dict(type='AddRain', seed=None, **_base_.rain),
    *_base_.train_pipeline[1:],
]
test_pipeline = [
    _base_.test_pipeline[0],
    dict(type='AddRain', seed=_base_.rain_test_seed, **_base_.rain),
    *_base_.test_pipeline[1:],
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

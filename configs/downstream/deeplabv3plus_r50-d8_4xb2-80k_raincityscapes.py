# Rainy baseline on RainCityscapes: the stock DeepLabV3+ (R50-D8, 512x1024
# crops, 80k iterations) trained and evaluated on RainCityscapes' rainy
# images, no deraining. Evaluation covers all 1,188 rainy validation images.
_base_ = [
    'mmseg::deeplabv3plus/deeplabv3plus_r50-d8_4xb2-80k_cityscapes-512x1024.py',
    './_base_/datasets/raincityscapes.py',
]
train_dataloader = dict(dataset=dict(_delete_=True, **_base_.raincityscapes_train))
val_dataloader = dict(dataset=dict(_delete_=True, **_base_.raincityscapes_val))
test_dataloader = val_dataloader

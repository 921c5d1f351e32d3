# Clean leg of the RainCityscapes comparison: the stock DeepLabV3+ on the
# clean originals of RainCityscapes' 33 validation scenes (the stock config
# evaluates all 500 Cityscapes validation images). Needs the scene list
# written by the command in configs/downstream/README.md.
_base_ = [
    'mmseg::deeplabv3plus/deeplabv3plus_r50-d8_4xb2-80k_cityscapes-512x1024.py',
    './_base_/datasets/raincityscapes.py',
]
val_dataloader = dict(dataset=dict(_delete_=True, **_base_.raincityscapes_clean_val))
test_dataloader = val_dataloader

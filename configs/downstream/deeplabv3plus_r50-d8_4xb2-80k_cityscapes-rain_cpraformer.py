# Derained: the rainy baseline with a frozen CPRAformer in front of
# the segmenter. The derainer runs in the data preprocessor, on the model's
# device, before normalisation and padding; mean, std, bgr_to_rgb and
# size stay the stock ones.
_base_ = ['./deeplabv3plus_r50-d8_4xb2-80k_cityscapes-rain.py', './_base_/cpraformer_derainer.py']

custom_imports = dict(imports=['cpra_mm', 'cpra_mm.seg'], allow_failed_imports=False)

model = dict(
    data_preprocessor=dict(
        type='DerainSegDataPreProcessor', trainable=False, **_base_.derain_preprocessor))

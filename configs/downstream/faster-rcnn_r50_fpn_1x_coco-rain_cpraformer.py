# Derained: the rainy baseline with a frozen CPRAformer in front of
# the detector. The derainer runs in the data preprocessor, on the model's
# device, before normalisation and padding; mean, std, bgr_to_rgb and
# pad_size_divisor stay the stock ones.
_base_ = ['./faster-rcnn_r50_fpn_1x_coco-rain.py', './_base_/cpraformer_derainer.py']

custom_imports = dict(imports=['cpra_mm', 'cpra_mm.det'], allow_failed_imports=False)

model = dict(
    data_preprocessor=dict(
        type='DerainDetDataPreprocessor', trainable=False, **_base_.derain_preprocessor))

# Derained: the rainy baseline with a frozen CPRAformer in front of the
# detector (in the data preprocessor, before normalisation and padding;
# the stock mean, std, bgr_to_rgb and pad_size_divisor are kept).
_base_ = [
    './retinanet_r50_fpn_1x_coco-rain.py',
    './_base_/cpraformer_derainer.py',
]
custom_imports = dict(imports=['cpra_mm', 'cpra_mm.det'], allow_failed_imports=False)

model = dict(
    data_preprocessor=dict(
        type='DerainDetDataPreprocessor',
        derainer=_base_.derainer,
        derainer_checkpoint=_base_.derainer_checkpoint,
        trainable=False,
        derain_tile_size=_base_.derain_tile_size,
        derain_tile_overlap=_base_.derain_tile_overlap))

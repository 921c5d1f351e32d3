# Derained on RainCityscapes: the rainy baseline with a frozen CPRAformer in
# front of the segmenter (in the data preprocessor, before normalisation
# and padding; the stock mean, std, bgr_to_rgb and size are kept).
_base_ = [
    './deeplabv3plus_r50-d8_4xb2-80k_raincityscapes.py',
    './_base_/cpraformer_derainer.py',
]
custom_imports = dict(imports=['cpra_mm', 'cpra_mm.seg'], allow_failed_imports=False)

model = dict(
    data_preprocessor=dict(
        type='DerainSegDataPreProcessor',
        derainer=_base_.derainer,
        derainer_checkpoint=_base_.derainer_checkpoint,
        trainable=False,
        derain_tile_size=_base_.derain_tile_size,
        derain_tile_overlap=_base_.derain_tile_overlap))

# The rain-augmented segmenter (shapes-segmenter_rain-aug_rainy.py) behind the
# shipped CPRAformer, frozen, in the data preprocessor, tested on the rainy
# validation images: test the rain-augmented checkpoint with this config
# (its derainer keys are missing from that checkpoint; they come from the
# shipped derainer). Training it would fine-tune the segmenter behind the
# frozen derainer, which is not a row of the study.
_base_ = ['./shapes-segmenter_rain-aug_rainy.py', './_base_/builtin_derainer.py']

model = dict(
    data_preprocessor=dict(
        type='DerainSegDataPreProcessor', trainable=False, **_base_.derain_preprocessor))

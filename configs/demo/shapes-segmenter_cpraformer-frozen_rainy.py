# Derained: the rainy baseline with the shipped CPRAformer, frozen, in front
# of the segmenter (DerainSegDataPreProcessor: derain, then the segmenter's
# own mean, std, channel flip and padding), as `tools/eval_downstream.py`
# tests it in its `derained` mode. `test.py ... --show-dir DIR` draws the
# predictions on the derained images.
_base_ = ['./shapes-segmenter_rainy.py', './_base_/builtin_derainer.py']

model = dict(
    data_preprocessor=dict(
        type='DerainSegDataPreProcessor', trainable=False, **_base_.derain_preprocessor))

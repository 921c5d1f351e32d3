# Derained: the rainy baseline with the shipped CPRAformer, frozen, in front
# of the segmenter (DerainSegDataPreProcessor: derain, then the segmenter's
# own mean, std, channel flip and padding), as `tools/eval_downstream.py`
# tests it in its `derained` mode. `test.py ... --show-dir DIR` draws the
# predictions on the derained images.
_base_ = ['./shapes-segmenter_rainy.py', './_base_/cpraformer_small_photos.py']
from cpra_mm.downstream.chain_config import add_derain_stage  # noqa: E402

model = dict(
    data_preprocessor=add_derain_stage(
        _base_.model.data_preprocessor,
        derainer=_base_.derainer,
        derainer_checkpoint=_base_.derainer_checkpoint,
        trainable=False,
        derain_tile_size=_base_.derain_tile_size,
        derain_tile_overlap=_base_.derain_tile_overlap))

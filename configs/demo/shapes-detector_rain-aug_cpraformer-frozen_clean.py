# The rain-augmented detector behind the frozen shipped CPRAformer
# (shapes-detector_rain-aug_cpraformer-frozen_rainy.py) tested on the clean
# validation images.
_base_ = './shapes-detector_rain-aug_cpraformer-frozen_rainy.py'
from cpra_mm.downstream.chain_config import remove_rain  # noqa: E402

test_pipeline = remove_rain(_base_.test_pipeline)
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

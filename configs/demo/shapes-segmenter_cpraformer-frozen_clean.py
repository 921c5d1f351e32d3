# The demo segmenter behind the frozen shipped CPRAformer
# (shapes-segmenter_cpraformer-frozen_rainy.py) tested on the clean
# validation images: what the derainer costs or gives when it does not rain.
_base_ = './shapes-segmenter_cpraformer-frozen_rainy.py'
from cpra_mm.downstream.chain_config import remove_rain  # noqa: E402

test_pipeline = remove_rain(_base_.test_pipeline)
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# The jointly fine-tuned detector and derainer
# (shapes-detector_cpraformer-joint_rainy.py) tested on the clean validation
# images: test the joint checkpoint with this config.
_base_ = './shapes-detector_cpraformer-joint_rainy.py'
from cpra_mm.downstream.chain_config import remove_rain  # noqa: E402

test_pipeline = remove_rain(_base_.test_pipeline)
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

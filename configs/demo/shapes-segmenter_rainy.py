# Rainy baseline: the demo segmenter (trained on clean images) tested on its
# validation images with synthetic rain, AddRain(seed=0) right after loading,
# exactly the images `tools/eval_downstream.py --rain-seed 0` tests in its
# `rainy` mode. Training is left as it is (clean images).
# `test.py ... --show-dir DIR` draws the predictions on the rainy images
# (DerainSegVisualizationHook), not on the clean files, of every batch
# (interval=1; the stock hook's 50 would skip the 16 batches of the demo).
_base_ = ['./shapes_segmenter.py', '../_base_/rain/synthetic_rain.py']
from cpra_mm.downstream.chain_config import add_rain  # noqa: E402

custom_imports = dict(imports=['cpra_mm', 'cpra_mm.seg'], allow_failed_imports=False)

test_pipeline = add_rain(_base_.test_pipeline, seed=_base_.rain_test_seed, **_base_.rain)
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

default_hooks = dict(visualization=dict(type='DerainSegVisualizationHook', interval=1))

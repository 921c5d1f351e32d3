# The derainer of the demo chains: the shipped CPRAformer (small, corrected
# layout, trained on photographs; cpra_mm/weights/cpraformer_small_photos.pth).
# Its path comes from the imported cpra_mm package, so the chain configs find
# it from any working directory, in the repository and in an installed copy.
# Other weights (of the same preset and layout):
#   --cfg-options model.data_preprocessor.derainer_checkpoint=PATH
# (for the -joint configs: model.task_model.data_preprocessor.derainer_checkpoint=PATH)
_base_ = ['../../downstream/_base_/cpraformer_derainer.py']
from cpra_mm.utils.shipped_weights import shipped_weights  # noqa: E402

derainer_checkpoint = shipped_weights('cpraformer_small_photos.pth')

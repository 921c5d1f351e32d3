# The derainer of the demo chains: the shipped CPRAformer (preset small,
# corrected layout, trained on photographs), the file of cpra_mm/weights/ that
# cpra_mm.utils.shipped_weights.BUILTIN_DERAINER names. Its path comes from
# the imported cpra_mm package, so the chain configs find it from any working
# directory, in the repository and in an installed copy.
# Other weights:
#   --cfg-options model.data_preprocessor.derainer_checkpoint=PATH
# and, when their preset differs (e.g. the shipped small_deep file),
#   model.data_preprocessor.derainer.preset=small_deep
# (for the -joint configs: model.task_model.data_preprocessor.derainer_...)
_base_ = ['../../downstream/_base_/cpraformer_derainer.py']
from cpra_mm.utils.shipped_weights import builtin_derainer_checkpoint  # noqa: E402

derain_preprocessor = dict(derainer_checkpoint=builtin_derainer_checkpoint())

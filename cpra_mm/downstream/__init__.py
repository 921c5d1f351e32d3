"""Framework-neutral pieces that put a derainer in front of a downstream
network: the derain stage, the deraining half of the det/seg data
preprocessors, and the joint fine-tuning wrapper. The stage loads its
weights with :func:`cpra_mm.utils.derainer_checkpoint.load_derainer_weights`
(re-exported here with :class:`CheckpointMismatchError`, which it raises).

No MMDetection, MMSegmentation or MMagic import happens here;
``cpra_mm.det`` and ``cpra_mm.seg`` build on these.
:class:`JointDerainTaskModel` (and the ``KeepCleanCopy`` transform it relies
on) register in the ``cpra_mm`` scope, which ``import cpra_mm`` shares with
every framework scope.
"""
from cpra_mm.datasets.transforms.keep_clean_copy import KeepCleanCopy
from cpra_mm.utils.derainer_checkpoint import CheckpointMismatchError, load_derainer_weights

from .derain_preprocessing import DerainPreprocessingMixin, batch_channel_order
from .derain_stage import DerainStage
from .joint_derain_task_model import JointDerainTaskModel, charbonnier

__all__ = [
    'CheckpointMismatchError', 'DerainPreprocessingMixin', 'DerainStage', 'JointDerainTaskModel',
    'KeepCleanCopy', 'batch_channel_order', 'charbonnier', 'load_derainer_weights'
]

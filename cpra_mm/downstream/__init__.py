"""Framework-neutral pieces that put a derainer in front of a downstream
network: the derain stage, its weight loading, the deraining half of the
det/seg data preprocessors, and the joint fine-tuning wrapper.

No MMDetection, MMSegmentation or MMagic import happens here;
``cpra_mm.det`` and ``cpra_mm.seg`` build on these. ``import cpra_mm``
registers :class:`JointDerainTaskModel` (and the ``KeepCleanCopy`` transform
it relies on) in every scope.
"""
from cpra_mm.datasets.transforms.keep_clean_copy import KeepCleanCopy

from .derain_preprocessing import DerainPreprocessingMixin, batch_channel_order
from .derain_stage import DerainStage
from .derainer_weights import DerainerCheckpointError, derainer_state_dict, load_derainer_weights
from .joint_derain_task_model import JointDerainTaskModel, charbonnier

__all__ = [
    'DerainPreprocessingMixin', 'DerainStage', 'DerainerCheckpointError', 'JointDerainTaskModel',
    'KeepCleanCopy', 'batch_channel_order', 'charbonnier', 'derainer_state_dict',
    'load_derainer_weights'
]

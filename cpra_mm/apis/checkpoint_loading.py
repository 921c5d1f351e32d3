"""Former home of the checkpoint readers, kept so that code importing them
from here keeps working; they live in :mod:`cpra_mm.utils.derainer_checkpoint`."""
from cpra_mm.utils.derainer_checkpoint import (CheckpointMismatchError, checkpoint_meta,
                                               generator_state_dict, load_generator_weights,
                                               read_checkpoint)

__all__ = [
    'CheckpointMismatchError', 'checkpoint_meta', 'generator_state_dict',
    'load_generator_weights', 'read_checkpoint'
]

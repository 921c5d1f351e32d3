"""Building blocks of CPRAformer (plain PyTorch)."""
from .channel_layer_norm import ChannelLayerNorm
from .cpra_block import CPRABlock
from .cross_alignment_gates import ChannelGate, CrossAlignmentGates, SpatialGate
from .cross_paradigm_attention import CrossParadigmAttention
from .frequency_stage import ReflectionFrequencyStage, SpectralFilter, circular_reflection
from .multi_scale_gated_ffn import MultiScaleGatedFFN
from .prompt_guided_topk import PromptGuidedTopK
from .resampling import Downsample, Upsample
from .sparse_prompt_channel_attention import SparsePromptChannelAttention
from .spatial_pixel_refinement import SpatialPixelRefinement

__all__ = [
    'ChannelGate', 'ChannelLayerNorm', 'CPRABlock', 'CrossAlignmentGates', 'CrossParadigmAttention',
    'Downsample', 'MultiScaleGatedFFN', 'PromptGuidedTopK', 'ReflectionFrequencyStage',
    'SparsePromptChannelAttention', 'SpatialGate', 'SpatialPixelRefinement', 'SpectralFilter',
    'Upsample', 'circular_reflection'
]

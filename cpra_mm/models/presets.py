"""Named sizes and layouts of CPRAformer."""
from typing import Any, Dict

PRESETS: Dict[str, Dict[str, Any]] = {
    # The paper's network (ACM MM 2025, Table 1 of the reference code).
    'paper': dict(dim=48, num_blocks=(4, 6, 6, 8), num_refinement_blocks=4,
                  heads=(1, 2, 4, 8), ffn_expansion=2.66),
    # Trains on a CPU in minutes; the built-in model and the demos use it.
    'small': dict(dim=16, num_blocks=(1, 2, 2, 2), num_refinement_blocks=1,
                  heads=(1, 1, 2, 2), ffn_expansion=2.0),
    # 'small' with more blocks at 1/4 and 1/8 resolution (3 and 4 instead
    # of 2 and 2), where a block is cheap: about 1.5 times the parameters,
    # about 1.1 times the time. Grown from a trained 'small' network
    # (cpra_mm/models/depth_growth.py, tools/grow_weights.py).
    'small_deep': dict(dim=16, num_blocks=(1, 2, 3, 4), num_refinement_blocks=1,
                       heads=(1, 1, 2, 2), ffn_expansion=2.0),
    # 'small' with a second block at full resolution (encoder, decoder and
    # refinement): the parameters of 'small', about 1.5 times the time.
    'small_fine': dict(dim=16, num_blocks=(2, 2, 2, 2), num_refinement_blocks=2,
                       heads=(1, 1, 2, 2), ffn_expansion=2.0),
    # Made for chains (derain -> detect/segment): half the width of 'small',
    # one block at full and half resolution, no refinement blocks, a narrower
    # FFN; the U-Net's depth sits at 1/4 and 1/8 resolution, where it is
    # cheap. Derains 512 x 512 in about one Faster R-CNN R50-FPN feature pass
    # (tools/benchmark_model.py --chain).
    'fast': dict(dim=8, num_blocks=(1, 1, 2, 2), num_refinement_blocks=0,
                 heads=(1, 1, 2, 2), ffn_expansion=1.5),
    # The smallest network with every part present; for tests.
    'tiny': dict(dim=16, num_blocks=(1, 1, 1, 1), num_refinement_blocks=1,
                 heads=(1, 1, 1, 1), ffn_expansion=1.0),
}

# What each layout does about the reference code's defects B1-B8:
# docs/architecture.md.
LAYOUTS: Dict[str, Dict[str, Any]] = {
    # Parameters map one-to-one onto the authors' code (minus its unused
    # 1x1 convolution); behaviour as theirs, except K is per image and
    # clamped to [1, c] and attn @ v is computed once.
    'reference': dict(topk_estimator='truncate', gate_norm='batch', frequency_stage='reference',
                      num_output_scales=4),
    # The reference code's defects B1, B5 and B6 corrected: the EPGO gate is
    # trained (straight-through top-K), stage 2 of AAFM is a real
    # shift-equivariant spectral filter, and the alignment gates use no batch
    # statistics (batch size 1 trains).
    'corrected': dict(topk_estimator='straight_through', gate_norm='layer',
                      frequency_stage='spectral', num_output_scales=1),
}

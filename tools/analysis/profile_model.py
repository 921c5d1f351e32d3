"""Where a CPRAformer's forward pass spends its time: per-operator and
per-module tables from the torch profiler.

One forward pass of a random-weight network (batch 1, eval mode,
``torch.no_grad()``) is profiled after ``--warmup`` untimed ones. The
operator table lists the ``--top`` ATen operators by self time (time inside
the operator itself, not its children), with calls and share of the total;
the module table sums the wall time of every block part (layer norms, SPR,
SPC, alignment gates, frequency stage, FFN) over the network, and puts the
rest (embedding, resampling, skips, output) under ``other``.

Examples::

    python tools/analysis/profile_model.py --preset small --size 512
    python tools/analysis/profile_model.py --preset paper --layout reference --size 256 \\
        --threads 2 --top 15
"""
import argparse
import sys
import time
from collections import defaultdict
from typing import Dict, List, Optional, Tuple

import torch
from torch import nn
from torch.profiler import ProfilerActivity, profile

from cpra_mm.models import LAYOUTS, PRESETS, CPRAformer

BLOCK_PARTS = ('norm1', 'attn.spr', 'attn.spc', 'attn.align', 'attn.frequency', 'norm2', 'ffn')
"""Sub-modules of every CPRABlock timed by the module table."""


def operator_table(model: nn.Module, image: torch.Tensor, top: int) -> Tuple[List[dict], float]:
    """Profile one forward pass; returns the ``top`` operators by self time
    (``name``, ``calls``, ``self_ms``) and the total self time in ms."""
    activities = [ProfilerActivity.CPU]
    if image.is_cuda:
        activities.append(ProfilerActivity.CUDA)
    with torch.no_grad(), profile(activities=activities) as prof:
        model(image)
        if image.is_cuda:
            torch.cuda.synchronize()
    use_device = image.is_cuda
    events = [e for e in prof.key_averages()]

    def self_ms(event) -> float:
        if use_device:
            return getattr(event, 'self_device_time_total', 0.0) / 1e3
        return event.self_cpu_time_total / 1e3

    total = sum(self_ms(e) for e in events)
    rows = sorted(({'name': e.key, 'calls': e.count, 'self_ms': self_ms(e)} for e in events),
                  key=lambda row: -row['self_ms'])
    return [row for row in rows if row['self_ms'] > 0][:top], total


def module_table(model: CPRAformer, image: torch.Tensor) -> Tuple[Dict[str, float], float]:
    """Wall time (ms) of one forward pass summed per block part, and in all.

    A part called inside another (the FFN runs ``norm2`` inside its row
    bands) counts for itself only: its time is taken off the enclosing
    part's."""
    spent: Dict[str, float] = defaultdict(float)
    open_parts: List[Tuple[str, float]] = []

    def sync() -> None:
        if image.is_cuda:
            torch.cuda.synchronize()

    def before(part: str):
        def hook(module, args):
            sync()
            open_parts.append((part, time.perf_counter()))
        return hook

    def after(module, args, output):
        sync()
        part, start = open_parts.pop()
        elapsed = (time.perf_counter() - start) * 1e3
        spent[part] += elapsed
        if open_parts:
            spent[open_parts[-1][0]] -= elapsed

    handles = []
    for name, module in model.named_modules():
        for part in BLOCK_PARTS:
            if name.endswith('.' + part) and name.count('.') == part.count('.') + 2:
                handles.append(module.register_forward_pre_hook(before(part)))
                handles.append(module.register_forward_hook(after))
    try:
        with torch.no_grad():
            sync()
            start = time.perf_counter()
            model(image)
            sync()
            total = (time.perf_counter() - start) * 1e3
    finally:
        for handle in handles:
            handle.remove()
    spent['other'] = total - sum(spent.values())
    return dict(spent), total


def main(argv: Optional[List[str]] = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--preset', default='small', choices=list(PRESETS))
    parser.add_argument('--layout', default='corrected', choices=list(LAYOUTS))
    parser.add_argument('--size', type=int, default=256, help='square input side (pixels)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--top', type=int, default=20, help='operators listed')
    args = parser.parse_args(argv)
    if args.size < 1 or args.top < 1 or args.warmup < 0:
        parser.error('--size and --top must be positive, --warmup not negative')
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        parser.error(f'--device {args.device}: CUDA is not available')
    if args.threads:
        torch.set_num_threads(args.threads)

    torch.manual_seed(0)
    model = CPRAformer(args.preset, layout=args.layout).eval().to(args.device)
    image = torch.rand(1, 3, args.size, args.size, device=args.device)
    with torch.no_grad():
        for _ in range(args.warmup):
            model(image)

    print(f'# {args.preset}/{args.layout}, {args.size} x {args.size}, {args.device}, '
          f'{torch.get_num_threads()} threads, torch {torch.__version__}')
    parts, wall = module_table(model, image)
    print(f'\n| part | time (ms) | share |\n|---|---:|---:|')
    for part, ms in sorted(parts.items(), key=lambda item: -item[1]):
        print(f'| {part} | {ms:.1f} | {ms / wall:.0%} |')
    print(f'| total | {wall:.1f} | |')

    rows, total = operator_table(model, image, args.top)
    print(f'\n| operator | calls | self time (ms) | share |\n|---|---:|---:|---:|')
    for row in rows:
        print(f"| {row['name']} | {row['calls']} | {row['self_ms']:.1f} | "
              f"{row['self_ms'] / total:.0%} |")
    print(f'| all operators | | {total:.1f} | |')
    return 0


if __name__ == '__main__':
    sys.exit(main())

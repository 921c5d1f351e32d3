"""Forward latency and peak memory of CPRAformer presets, and a side-by-side
comparison with the authors' code.

Latency is the median of ``--repeats`` timed forward passes after
``--warmup`` untimed ones, under ``torch.no_grad()`` in eval mode, batch 1.
Peak memory is measured in a fresh subprocess per case: on CUDA
``torch.cuda.max_memory_allocated``; on CPU the growth of the process's peak
resident set (``ru_maxrss``) over its size after the model was built, i.e.
the activations and workspace of the forward pass.

With ``--reference-repo PATH`` (a checkout of github.com/zs1314/CPRAformer,
never part of this repository) the authors' ``DAIT`` is built with random
weights, its state dict is converted with cpra_mm's converter into
``CPRAformer(layout='reference')``, and both are timed on the same input,
alternating runs, printing the speed ratio and the max abs output
difference.

``--reference-modes`` times ours in other modes too (see ``--chain``);
the last line names the largest speed-up.

With ``--chain`` it measures what a derain-then-detect chain pays for its
first stage: for each preset and mode (``--modes``: eager fp32, bf16 or
fp16 autocast, ``torch.compile``, compile with bf16, onnxruntime), the derain time at each size divided by
a Faster R-CNN R50-FPN feature pass (``extract_feat``, random weights, built
from MMDetection's own config) at the same size, the two timed alternately
in one process, plus the derainer's peak memory. Its last line names the
fastest combination at 512: ``derain/detector at 512: X.XX (PRESET, MODE)``.
``--flip-ensemble`` times the derainer as the chains run it with
``derain_flip_ensemble=True``, the mean of two passes (the image and its left-right mirror,
:func:`cpra_mm.models.flip_ensemble_forward`); without it one pass is timed.

Examples::

    python tools/benchmark_model.py --chain --presets fast small --sizes 512 1024
    python tools/benchmark_model.py --chain --presets small --sizes 512 --modes eager --flip-ensemble
    python tools/benchmark_model.py --sizes 256 512
    python tools/benchmark_model.py --only-reference --reference-repo /tmp/CPRAformer
    python tools/benchmark_model.py --only-reference --reference-repo /tmp/CPRAformer \
        --reference-modes eager onnxruntime
    python tools/benchmark_model.py --tiled 2048 --presets paper
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence

import torch

from cpra_mm.deployment.inference_modes import INFERENCE_MODES, network_in_mode
from cpra_mm.models import LAYOUTS, PRESETS, CPRAformer, inference_forward, tiled_forward


def _sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def time_forward(fn: Callable[[torch.Tensor], torch.Tensor], image: torch.Tensor, warmup: int,
                 repeats: int) -> List[float]:
    """Seconds of each timed call of ``fn(image)``."""
    device = str(image.device)
    with torch.no_grad():
        for _ in range(warmup):
            fn(image)
        _sync(device)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn(image)
            _sync(device)
            times.append(time.perf_counter() - start)
    return times


def measure_case(preset: str, layout: str, size: int, device: str, warmup: int, repeats: int,
                 tiled: bool, tile_size: int) -> Dict[str, float]:
    """Run one case in this process; returns latency (s) and peak memory (MiB)."""
    torch.manual_seed(0)
    model = CPRAformer(preset, layout=layout).eval().to(device)
    image = torch.rand(1, 3, size, size, device=device)
    if tiled:
        def fn(x):
            return tiled_forward(model, x, tile_size=tile_size, overlap=32)
    else:
        fn = model
    if device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    else:
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    times = time_forward(fn, image, warmup, repeats)
    if device.startswith('cuda'):
        peak = torch.cuda.max_memory_allocated() - base
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base
    return dict(latency_s=statistics.median(times), peak_mib=peak / 2**20)


def measure_in_subprocess(function: str = 'measure_case', **case) -> Dict[str, float]:
    """Run ``function`` (:func:`measure_case` or :func:`measure_chain_case`)
    in a fresh interpreter so peaks and compiled code do not mix."""
    code = ('import json, sys; sys.path.insert(0, {tools!r}); import benchmark_model as b; '
            'print(json.dumps(b.{function}(**json.loads(sys.argv[1]))))').format(
                tools=os.path.dirname(os.path.abspath(__file__)), function=function)
    out = subprocess.run([sys.executable, '-c', code, json.dumps(case)], capture_output=True,
                         text=True)
    if out.returncode != 0:
        raise RuntimeError(f'benchmark case {case} failed:\n{out.stderr[-2000:]}')
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare_with_reference(repo: str, size: int, warmup: int, repeats: int,
                           modes: Sequence[str] = ('eager',)) -> List[Dict[str, float]]:
    """Time the authors' DAIT (eager fp32) against our reference layout on
    the same weights, ours in each of ``modes`` (:data:`INFERENCE_MODES`), the
    two alternating; one row per mode with the speed-up and the max abs
    output difference to DAIT."""
    from cpra_mm.models.official_checkpoint import convert_official_state_dict

    sys.path.insert(0, os.path.abspath(repo))
    try:
        from models.DAIT import DAIT
    except ImportError as err:
        raise SystemExit(f'error: cannot import models/DAIT.py from {repo}: {err}')
    torch.manual_seed(0)
    theirs = DAIT().eval()
    ours = CPRAformer('paper', layout='reference', clamp_output=False).eval()
    ours.load_state_dict(convert_official_state_dict(theirs.state_dict()), strict=True)
    ours.requires_grad_(False)  # inference: compile modes freeze the weights
    image = torch.rand(1, 3, size, size)
    with torch.no_grad():
        expected = theirs(image)[0]
    rows = []
    for mode in modes:
        run = network_in_mode(ours, mode)
        with torch.no_grad():
            diff = (expected - run(image)).abs().max().item()
        their_times, our_times = [], []
        time_forward(lambda x: theirs(x)[0], image, warmup, 0)
        time_forward(run, image, max(warmup, 2 if 'compile' in mode else 1), 0)
        for _ in range(repeats):
            their_times += time_forward(lambda x: theirs(x)[0], image, 0, 1)
            our_times += time_forward(run, image, 0, 1)
        theirs_s, ours_s = statistics.median(their_times), statistics.median(our_times)
        rows.append(dict(size=size, mode=mode, authors_s=theirs_s, ours_s=ours_s,
                         speedup=theirs_s / ours_s, max_abs_diff=diff))
    return rows


def faster_rcnn_features() -> Callable[[torch.Tensor], object]:
    """``extract_feat`` of Faster R-CNN R50-FPN (MMDetection's 1x COCO config,
    random weights: no download), in eval mode."""
    import mmdet
    from mmengine.config import Config
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules

    register_all_modules()
    config = Config.fromfile(os.path.join(os.path.dirname(mmdet.__file__), '.mim', 'configs',
                                          'faster_rcnn', 'faster-rcnn_r50_fpn_1x_coco.py'))
    config.model.backbone.init_cfg = None
    return MODELS.build(config.model).eval().extract_feat


def measure_chain_case(preset: str, layout: str, mode: str, size: int, device: str,
                       warmup: int, repeats: int, flip_ensemble: bool = False) -> Dict[str, float]:
    """Derain and detector feature times (s, medians of alternating runs)
    and the derainer's peak memory (MiB) at ``size`` x ``size``, batch 1;
    with ``flip_ensemble`` the derain time is that of the mirror ensemble
    (two passes). Streak alignment (a measurement on every image, a
    sheared pass for dominant slanted streaks only) is left out."""
    torch.manual_seed(0)
    detector = faster_rcnn_features()
    if device.startswith('cuda'):
        detector.__self__.to(device)
    model = CPRAformer(preset, layout=layout).eval().requires_grad_(False).to(device)
    network = network_in_mode(model, mode)
    derain = inference_forward(network, align_streaks=False, flip_ensemble=flip_ensemble)
    image = torch.rand(1, 3, size, size, device=device)
    if device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    else:
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    derain_times = time_forward(derain, image, max(warmup, 2 if 'compile' in mode else 1), 1)
    if device.startswith('cuda'):
        peak = torch.cuda.max_memory_allocated() - base
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base
    detector_times = time_forward(detector, image, warmup, 1)
    for _ in range(repeats - 1):
        derain_times += time_forward(derain, image, 0, 1)
        detector_times += time_forward(detector, image, 0, 1)
    derain_s, detector_s = statistics.median(derain_times), statistics.median(detector_times)
    return dict(derain_s=derain_s, detector_s=detector_s, ratio=derain_s / detector_s,
                peak_mib=peak / 2**20)


def run_chain(args: argparse.Namespace, devices: List[str], layouts: List[str]) -> None:
    """Print the ``--chain`` table and the fastest combination at 512 (at
    the largest size when 512 is not measured)."""
    print('| device | preset | layout | mode | size | derain (s) | detector features (s) | '
          'derain/detector | derain peak memory (MiB) |')
    print('|---|---|---|---|---:|---:|---:|---:|---:|')
    summary_size = 512 if 512 in args.sizes else max(args.sizes)
    passes = ' x2 (mirror ensemble)' if args.flip_ensemble else ''
    best = None
    cases = [(device, preset, layout, mode, size) for device in devices
             for preset in args.presets for layout in layouts for mode in args.modes
             for size in args.sizes if device == 'cpu' or mode != 'onnxruntime']
    for device, preset, layout, mode, size in cases:
        r = measure_in_subprocess('measure_chain_case', preset=preset, layout=layout, mode=mode,
                                  size=size, device=device, warmup=args.warmup,
                                  repeats=args.repeats, flip_ensemble=args.flip_ensemble)
        print(f"| {device} | {preset} | {layout} | {mode}{passes} | {size} | {r['derain_s']:.3f} | "
              f"{r['detector_s']:.3f} | {r['ratio']:.2f} | {r['peak_mib']:.0f} |", flush=True)
        if size == summary_size and (best is None or r['ratio'] < best[0]):
            name = preset if len(layouts) == 1 else f'{preset} {layout}'
            best = (r['ratio'], name, (mode if device == 'cpu' else f'{device} {mode}') + passes)
    if best is not None:
        print(f'derain/detector at {summary_size}: {best[0]:.2f} ({best[1]}, {best[2]})')


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--presets', nargs='+', default=list(PRESETS), choices=list(PRESETS))
    parser.add_argument('--layouts', nargs='+', default=None, choices=list(LAYOUTS),
                        help='default: every layout; corrected only with --chain')
    parser.add_argument('--sizes', nargs='+', type=int, default=[256, 512])
    parser.add_argument('--devices', nargs='+', default=None,
                        help='default: cpu, plus cuda when available')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument('--tiled', type=int, default=None, metavar='SIZE',
                        help='also measure tiled inference on a SIZE x SIZE image')
    parser.add_argument('--tile-size', type=int, default=256)
    parser.add_argument('--reference-repo', default=None,
                        help="checkout of the authors' repository for a side-by-side run")
    parser.add_argument('--reference-size', type=int, default=256)
    parser.add_argument('--reference-modes', nargs='+', default=['eager'], choices=INFERENCE_MODES,
                        help='modes our reference layout runs in against DAIT (eager fp32)')
    parser.add_argument('--only-reference', action='store_true',
                        help='skip the preset table, run only the side-by-side comparison')
    parser.add_argument('--chain', action='store_true',
                        help='derain time / Faster R-CNN R50-FPN feature time per preset and mode')
    parser.add_argument('--modes', nargs='+', default=list(INFERENCE_MODES), choices=INFERENCE_MODES,
                        help='modes of --chain')
    parser.add_argument('--flip-ensemble', action='store_true',
                        help='--chain: time the derainer as a mirror ensemble (two passes), as '
                        'the chains and derain() run it when asked to (one pass by default)')
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
        os.environ['OMP_NUM_THREADS'] = str(args.threads)
    devices = args.devices or (['cpu', 'cuda'] if torch.cuda.is_available() else ['cpu'])
    cpu_name = next((line.split(':', 1)[1].strip() for line in open('/proc/cpuinfo')
                     if line.startswith('model name')), 'unknown CPU')
    print(f'# torch {torch.__version__}, {torch.get_num_threads()} threads, {cpu_name}'
          + (f', {torch.cuda.get_device_name()}' if 'cuda' in devices else ''))

    if args.chain:
        run_chain(args, devices, args.layouts or ['corrected'])
        return 0
    args.layouts = args.layouts or list(LAYOUTS)
    if not args.only_reference:
        print('| device | preset | layout | size | latency (s) | peak memory (MiB) |')
        print('|---|---|---|---:|---:|---:|')
        for device in devices:
            for preset in args.presets:
                for layout in args.layouts:
                    for size in args.sizes:
                        r = measure_in_subprocess(preset=preset, layout=layout, size=size,
                                                  device=device, warmup=args.warmup,
                                                  repeats=args.repeats, tiled=False,
                                                  tile_size=args.tile_size)
                        print(f"| {device} | {preset} | {layout} | {size} | "
                              f"{r['latency_s']:.3f} | {r['peak_mib']:.0f} |", flush=True)
        if args.tiled:
            print(f'\n| device | preset | layout | tiled size (tile {args.tile_size}) | '
                  'latency (s) | peak memory (MiB) |')
            print('|---|---|---|---:|---:|---:|')
            for device in devices:
                for preset in args.presets:
                    for layout in args.layouts:
                        r = measure_in_subprocess(preset=preset, layout=layout, size=args.tiled,
                                                  device=device, warmup=0, repeats=1, tiled=True,
                                                  tile_size=args.tile_size)
                        print(f"| {device} | {preset} | {layout} | {args.tiled} | "
                              f"{r['latency_s']:.1f} | {r['peak_mib']:.0f} |", flush=True)
    if args.reference_repo:
        rows = compare_with_reference(args.reference_repo, args.reference_size, args.warmup,
                                      args.repeats, args.reference_modes)
        print('\n| size | authors DAIT, eager (s) | cpra_mm reference | mode | time (s) | '
              'speed-up | max abs diff |')
        print('|---:|---:|---|---|---:|---:|---:|')
        for r in rows:
            print(f"| {r['size']} | {r['authors_s']:.3f} | paper | {r['mode']} | "
                  f"{r['ours_s']:.3f} | {r['speedup']:.2f}x | {r['max_abs_diff']:.2e} |")
        best = max(rows, key=lambda r: r['speedup'])
        print(f"speed-up over DAIT at {best['size']}: {best['speedup']:.2f}x "
              f"(paper reference, {best['mode']})")
    return 0


if __name__ == '__main__':
    sys.exit(main())

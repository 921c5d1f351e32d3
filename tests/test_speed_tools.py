"""The speed tools run and print what they promise (no timings checked)."""
import re
import time

import torch
from tool_loading import load_tool

from cpra_mm.models import CPRAformer
from cpra_mm.models.layers import CPRABlock, row_bands


def test_profile_model_prints_the_part_and_operator_tables(capsys):
    profile_model = load_tool('analysis/profile_model')
    assert profile_model.main(['--preset', 'tiny', '--size', '32', '--warmup', '1',
                               '--top', '5', '--threads', '1']) == 0
    out = capsys.readouterr().out
    parts = re.findall(r'^\| (norm1|norm2|attn\.\w+|ffn|other) \| [\d.]+ \|', out, re.M)
    assert sorted(set(parts)) == sorted(set(profile_model.BLOCK_PARTS) | {'other'})
    operators = re.findall(r'^\| (aten::\w+) \| \d+ \| [\d.]+ \|', out, re.M)
    assert 1 <= len(operators) <= 5


def test_profile_parts_count_nested_parts_once(monkeypatch):
    profile_model = load_tool('analysis/profile_model')
    monkeypatch.setattr(row_bands, 'BAND_ELEMENTS', 2048)  # norm2 runs inside the FFN's bands
    torch.manual_seed(0)
    model = CPRAformer('tiny', layout='corrected').eval()
    for block in model.modules():
        if isinstance(block, CPRABlock):  # a slow norm2: counted twice, 'other' goes negative
            slow_norm = block.norm2.forward
            block.norm2.forward = lambda x, norm=slow_norm: (time.sleep(0.002), norm(x))[1]
    spent, _ = profile_model.module_table(model, torch.rand(1, 3, 32, 32))
    assert spent['norm2'] > 0 and spent['ffn'] > 0
    assert all(value >= 0 for value in spent.values()), spent


def test_chain_benchmark_ends_with_the_fastest_ratio(capsys):
    benchmark = load_tool('benchmark_model')
    assert benchmark.main(['--chain', '--presets', 'tiny', '--modes', 'eager', '--sizes', '32',
                           '48', '--warmup', '0', '--repeats', '1', '--threads', '1']) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    rows = [line for line in lines if line.startswith('| cpu | tiny | corrected | eager |')]
    assert len(rows) == 2
    assert re.fullmatch(r'derain/detector at 48: \d+\.\d\d \(tiny, eager\)', lines[-1])


def test_chain_benchmark_runs_the_fast_modes(capsys):
    benchmark = load_tool('benchmark_model')
    assert benchmark.main(['--chain', '--presets', 'tiny', '--modes', 'fp16', 'onnxruntime',
                           '--sizes', '32', '--warmup', '0', '--repeats', '1',
                           '--threads', '1']) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    modes = re.findall(r'^\| cpu \| tiny \| corrected \| (\S+) \| 32 \| [\d.]+ \|', '\n'.join(lines),
                       re.M)
    assert modes == ['fp16', 'onnxruntime']
    assert re.fullmatch(r'derain/detector at 32: \d+\.\d\d \(tiny, (fp16|onnxruntime)\)',
                        lines[-1])


def test_chain_benchmark_times_the_mirror_ensemble(capsys):
    benchmark = load_tool('benchmark_model')
    assert benchmark.main(['--chain', '--presets', 'tiny', '--modes', 'eager', '--sizes', '32',
                           '--warmup', '0', '--repeats', '1', '--threads', '1',
                           '--flip-ensemble']) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line for line in lines
            if line.startswith('| cpu | tiny | corrected | eager x2 (mirror ensemble) | 32 |')]
    assert re.fullmatch(r'derain/detector at 32: \d+\.\d\d \(tiny, eager x2 \(mirror ensemble\)\)',
                        lines[-1])


def test_chain_case_with_the_ensemble_runs_the_network_twice(monkeypatch):
    benchmark = load_tool('benchmark_model')
    calls = []

    def counting_mode(model, mode):
        def forward(images):
            calls.append(images.shape)
            return model(images)
        return forward

    monkeypatch.setattr(benchmark, 'network_in_mode', counting_mode)
    monkeypatch.setattr(benchmark, 'faster_rcnn_features', lambda: (lambda images: images))
    benchmark.measure_chain_case('tiny', 'corrected', 'eager', 16, 'cpu', warmup=0, repeats=1)
    one_pass = len(calls)
    calls.clear()
    benchmark.measure_chain_case('tiny', 'corrected', 'eager', 16, 'cpu', warmup=0, repeats=1,
                                 flip_ensemble=True)
    assert len(calls) == 2 * one_pass

"""A CPU distributed run leaves no gloo worker thread alive into interpreter
finalization: ``prepare_cpu_distributed`` destroys the group it opened at
exit (a worker still running then could free a Python-owned tensor under a
finalizing interpreter, which aborts the process)."""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Reports the process's native threads after every other exit handler: it is
# registered first, and atexit runs handlers last-in, first-out. The DDP
# wrapper (which holds the process group) sits in a reference cycle, as a
# finished Runner does.
SCRIPT = '''
import atexit, os

def report():
    names = [open(f'/proc/self/task/{task}/comm').read().strip()
             for task in os.listdir('/proc/self/task')]
    print('THREADS', ','.join(sorted(names)), flush=True)

atexit.register(report)

import torch
from mmengine.config import Config
from cpra_mm.utils.launch import prepare_cpu_distributed

prepare_cpu_distributed(Config(dict(launcher='pytorch')))
holder = type('Holder', (), {})()
holder.itself = holder
holder.model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(4, 4),
                                                         broadcast_buffers=False)
holder.model(torch.ones(2, 4)).sum().backward()
del holder
'''


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(not Path('/proc/self/task').is_dir(), reason='needs /proc (Linux)')
def test_gloo_workers_are_joined_before_finalization():
    env = dict(os.environ, PYTHONPATH=f'{REPO}{os.pathsep}{os.environ.get("PYTHONPATH", "")}',
               MASTER_ADDR='127.0.0.1', MASTER_PORT=str(_free_port()), RANK='0',
               WORLD_SIZE='1', LOCAL_RANK='0', CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS='1')
    result = subprocess.run([sys.executable, '-c', SCRIPT], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    threads = next(line for line in result.stdout.splitlines() if line.startswith('THREADS'))
    assert 'gloo' not in threads, threads

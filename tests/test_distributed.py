"Two CPU processes, gloo on loopback: fastmix under fastai's distributed training (DistributedDataParallel)"
import json, os, socket, subprocess, sys
from pathlib import Path
import pytest

def _free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def test_two_ranks(tmp_path):
    pytest.importorskip('accelerate')
    env = {**os.environ, 'MASTER_ADDR': '127.0.0.1', 'MASTER_PORT': str(_free_port()), 'WORLD_SIZE': '2',
           'OMP_NUM_THREADS': '1', 'ACCELERATE_USE_CPU': 'true'}
    worker = Path(__file__).with_name('ddp_worker.py')
    procs = [subprocess.Popen([sys.executable, str(worker), str(tmp_path)], env={**env, 'RANK': str(r), 'LOCAL_RANK': str(r)},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for r in range(2)]
    outs = [p.communicate(timeout=600)[0] for p in procs]
    for p, o in zip(procs, outs): assert p.returncode == 0, o[-3000:]
    r0, r1 = (json.loads((tmp_path/f'rank{r}.json').read_text()) for r in range(2))
    for name in ('MixUp', 'CutMix', 'CutMixUp', 'ManifoldMixUp'):
        a, b = r0[name], r1[name]
        assert a['hooks'] == b['hooks'] == 0, name
        assert a['n'] == b['n'] == 4, (name, a['n'], b['n'])                 # 256 samples, bs 32, 2 ranks: 4 batches each
        assert max(abs(x - y) for x, y in zip(a['weights'], b['weights'])) < 1e-6, name   # DDP kept the replicas equal
        assert a['lams'] != b['lams'] and a['perms'] != b['perms'], name      # each rank drew its own mixing

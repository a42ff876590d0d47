"Tests of the installed package: the public API, the console script, and the per-batch code path"
import re, shutil, subprocess
from pathlib import Path
import torch

def test_public_api():
    import fastmix
    from fastmix import MixHandler, MixUp, CutMix, CutMixUp, reduce_loss, MixUpLoss, mixup_batch, cutmix_batch, cutmixup_batch
    assert all(issubclass(c, MixHandler) for c in (MixUp, CutMix, CutMixUp))
    assert {'MixHandler', 'MixUp', 'CutMix', 'CutMixUp', 'reduce_loss', 'MixUpLoss', 'mixup_batch', 'cutmix_batch',
            'cutmixup_batch', 'MixedBatch', 'show_mixed_batch', 'MixedAccuracy'} <= set(fastmix.__all__)
    assert all(hasattr(fastmix, n) for n in fastmix.__all__)
    from fastai.learner import Learner
    assert all(hasattr(Learner, m) for m in ('mixup', 'cutmix', 'cutmixup'))

def test_console_script():
    exe = shutil.which('fastmix-demo')
    assert exe, 'fastmix-demo is not installed: pip install -e .'
    r = subprocess.run([exe, '--help'], capture_output=True, text=True)
    assert r.returncode == 0 and '--data FOLDER' in r.stdout
    for args, msg in ((['--epochs=-3'], 'argument --epochs: must be > 0, got -3'), (['--data', '/nowhere'], '--data /nowhere: no such folder')):
        r = subprocess.run([exe, *args], capture_output=True, text=True)
        lines = [l for l in r.stderr.strip().splitlines() if 'Warning' not in l and 'warnings.warn' not in l]  # torch's import-time notice
        assert r.returncode != 0 and lines == [f'fastmix-demo: error: {msg}'], r.stderr

def test_console_script_runs(tmp_path):
    "A whole (short) run through the installed script: exit code 0, the table, both pictures"
    r = subprocess.run([shutil.which('fastmix-demo'), '--epochs', '1', '--quiet', '--out', str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'condition' in r.stdout and 'CutMix()' in r.stdout and 'CutMixUp()' in r.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ['cutmix_batch.png', 'cutmixup_batch.png', 'mixup_batch.png']

def test_no_host_reads_in_batch_path():
    "The per-batch code never reads a device value back to the host (`show` is display code, outside training)"
    import fastmix.core, fastmix.mixup, fastmix.cutmix, fastmix.cutmixup
    src = ''.join(Path(m.__file__).read_text() for m in (fastmix.core, fastmix.mixup, fastmix.cutmix, fastmix.cutmixup))
    # `host_box` and `_host_sides` read tensors they made on the CPU themselves ('cpu' is hard-coded there)
    host = re.findall(r'\.(?:item|tolist)\(', src[src.index('def _host_sides('):src.index('def check_box(')] + src[src.index('def host_box('):src.index('# %%', src.index('def host_box('))])
    assert len(host) == 3, host
    assert len(re.findall(r'\.(item|tolist|cpu|numpy)\(', src)) == len(host)

def test_mixing_on_meta_device():
    "Shapes only, no data: the whole per-batch path runs on a device whose values can't be read at all"
    from fastmix import mixup_lam, mixup_inputs, sample_perm, rand_boxes, box_mask, box_lam, cutmix_inputs
    from fastmix import mixup_batch, cutmix_batch, cutmixup_batch
    x = torch.empty(8, 3, 16, 16, device='meta')
    y, seg = torch.empty(8, dtype=torch.long, device='meta'), torch.empty(8, 16, 16, dtype=torch.long, device='meta')
    lam, perm = mixup_lam(8, 0.4, 'meta'), sample_perm(8, 'meta')
    assert mixup_inputs((x,), perm, lam)[0].shape == x.shape
    box = rand_boxes(1, 16, 16, 1., 'meta')
    assert cutmix_inputs((x,), perm, box_mask(box, 16, 16))[0].shape == x.shape and box_lam(box, 16, 16).shape == (1,)
    for mb in (mixup_batch(x, (y, seg), p=0.5, per_sample=True, derange=True),
               cutmix_batch(x, (y, seg), p=0.5, per_sample=True, box_mode='uniform'),
               cutmix_batch(x, (y, seg), box_mode='inside', minmax=(0.2, 0.8)),
               cutmixup_batch(x, (y, seg), p=0.5, per_sample=True, derange=True)):
        assert mb.x.shape == x.shape and mb.lam.shape == (8,) and mb.y[1].shape == seg.shape and mb.x.device.type == 'meta'

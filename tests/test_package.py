"Tests of the installed package: the public API, the console script, and the per-batch code path"
import re, shutil, subprocess, sys
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
    assert all(hasattr(Learner, m) for m in ('mixup', 'cutmix', 'cutmixup', 'fmix', 'resizemix'))
    from fastmix import FMix, ResizeMix, ManifoldMixUp, OutputMixUp, fmix_batch, resizemix_batch, manifold_batch, mixing_at
    assert all(issubclass(c, MixHandler) for c in (FMix, ResizeMix, ManifoldMixUp, OutputMixUp))

def test_lazy_package():
    "`import fastmix` (and so the CLI, `fastmix.demo`) loads neither torch nor fastai; the first name asked loads it all"
    code = ("import sys, fastmix; assert 'torch' not in sys.modules and 'fastai' not in sys.modules, 'eager import'\n"
            "from fastmix import MixUp\nfrom fastai.learner import Learner\n"
            "assert hasattr(Learner, 'cutmix') and fastmix.CutMix.__module__ == 'fastmix.cutmix'\n"
            "try: fastmix.no_such_name\nexcept AttributeError as e: assert 'no_such_name' in str(e)\nelse: raise AssertionError")
    r = subprocess.run([__import__('sys').executable, '-c', code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

def _demo_exe():
    "The console script beside this Python (its venv need not be activated), or on PATH"
    here = Path(sys.executable).parent/'fastmix-demo'
    exe = str(here) if here.exists() else shutil.which('fastmix-demo')
    assert exe, 'fastmix-demo is not installed: pip install -e .'
    return exe

def test_console_script():
    "`--help` and one-line errors come with nothing else: no third-party warning before fastmix-demo's own output"
    exe = _demo_exe()
    r = subprocess.run([exe, '--help'], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith('usage: fastmix-demo') and '--data FOLDER' in r.stdout and r.stderr == '', r.stderr
    for args, msg in ((['--epochs=-3'], 'argument --epochs: must be > 0, got -3'), (['--data', '/nowhere'], '--data /nowhere: no such folder')):
        r = subprocess.run([exe, *args], capture_output=True, text=True)
        assert r.returncode != 0 and r.stderr.strip().splitlines() == [f'fastmix-demo: error: {msg}'] and r.stdout == '', r.stderr

def test_console_script_runs(tmp_path):
    "A whole (short) run through the installed script: exit code 0, the table, both pictures"
    r = subprocess.run([_demo_exe(), '--epochs', '1', '--quiet', '--out', str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == '', r.stderr[-2000:]
    assert 'condition' in r.stdout and 'cannot tell these differences from noise' in r.stdout and 'CutMix()' in r.stdout and 'CutMixUp()' in r.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ['cutmix_batch.png', 'cutmixup_batch.png', 'mixup_batch.png']

def test_no_host_reads_in_batch_path():
    "The per-batch code never reads a device value back to the host (`show` is display code, outside training)"
    import importlib
    names = ('core', 'loss', 'handler', 'mixup', 'cutmix', 'cutmixup', 'fmix', 'resizemix', 'manifold')
    srcs = {n: Path(importlib.import_module(f'fastmix.{n}').__file__).read_text() for n in names}
    reads = [(name, mt.start()) for name, src in srcs.items() for mt in re.finditer(r'\.(?:item|tolist|cpu|numpy)\(', src)]
    # the exceptions: pasting one box for the whole batch reads that box, which was drawn on the CPU with the host
    # generator; `paste` and `resize_paste` take that path only for one box on the CPU, after the per-sample path
    def one_box_branch(name, fn, test, start_of_rest):
        src = srcs[name]; start = src.index(f'def {fn}('); branch = src.index(test, start)
        return name, branch, src.index(start_of_rest, branch)
    allowed = [one_box_branch('cutmix', 'paste', "box.device.type == 'cpu'", '\n    return paste_mask('),
               one_box_branch('resizemix', 'resize_paste', "box.device.type != 'cpu'", '\n    return out')]
    assert len(reads) == 2, reads
    for name, pos in reads:
        assert any(name == n and b < pos < e for n, b, e in allowed) and srcs[name][pos:pos + 9] == '.tolist()', (name, srcs[name][pos - 60:pos + 20])

def test_mixing_on_meta_device():
    "Shapes only, no data: the whole per-batch path runs on a device whose values can't be read at all"
    import torch.nn.functional as F
    from fastmix import (mixup_lam, sample_perm, rand_boxes, box_mask, box_lam, paste, lerp_rows,
                         mixup_batch, cutmix_batch, cutmixup_batch)
    x = torch.empty(8, 3, 16, 16, device='meta')
    y, seg = torch.empty(8, dtype=torch.long, device='meta'), torch.empty(8, 16, 16, dtype=torch.long, device='meta')
    lam, perm = mixup_lam(8, 0.4, 'meta'), sample_perm(8, 'meta', derange=True)
    assert lam.shape == (8,) and lam.device.type == perm.device.type == 'meta'
    assert lerp_rows(x, x[perm], lam).shape == x.shape
    boxes = rand_boxes(8, (16, 16), 1., 'meta')
    assert boxes.shape == (8, 4) and box_mask(boxes, (16, 16)).shape == (8, 16, 16) and box_lam(boxes, (16, 16)).shape == (8,)
    assert paste(x, perm, boxes).shape == x.shape and paste(seg, perm, boxes).dtype == torch.long
    one = rand_boxes(1, (16, 16), 1., 'cpu')                     # one box for the batch is drawn on the host
    assert paste(x, perm, one).shape == x.shape and box_lam(one, (16, 16)).shape == (1,)
    pred = torch.empty(8, 10, device='meta')
    for mb in (mixup_batch(x, (y, seg), p=0.5, per_sample=True, derange=True),
               mixup_batch(x, (y, seg), same_lam=True),
               cutmix_batch(x, (y, seg)),                          # one box per batch
               cutmix_batch(x, (y, seg), p=0.5, per_sample=True, box_mode='uniform'),   # boxes per sample
               cutmix_batch(x, (y, seg), per_sample=True, box_mode='inside', minmax=(0.2, 0.8)),
               cutmixup_batch(x, (y, seg), switch_p=0.), cutmixup_batch(x, (y, seg), switch_p=1.),   # one method per batch
               cutmixup_batch(x, (y, seg), p=0.5, per_sample=True, derange=True)):                # per sample
        assert mb.method != 'none' and mb.x.shape == x.shape and mb.x.device.type == 'meta', mb.method
        assert mb.lam.shape == (8,) and mb.y[1].shape == mb.y1[1].shape == seg.shape
        assert mb._replace(y=y, y1=mb.y1[0]).loss(F.cross_entropy, pred).shape == ()
    from fastmix import fmix_batch, resizemix_batch, manifold_batch
    from fastmix.manifold import mix_hidden
    for mb in (fmix_batch(x, (y, seg)), fmix_batch(x, (y, seg), max_soft=0.1, p=0.5, per_sample=True),
               resizemix_batch(x, (y, seg)), resizemix_batch(x, (y, seg), p=0.5, per_sample=True), manifold_batch(x, (y, seg))):
        assert mb.method != 'none' and mb.x.shape == x.shape and mb.x.device.type == 'meta' and mb.lam.shape == (8,), mb.method
        assert mb.y[1].shape == seg.shape and mb._replace(y=y, y1=mb.y1[0]).loss(F.cross_entropy, pred).shape == ()
    assert mix_hidden(torch.empty(8, 32, device='meta'), manifold_batch(x, y)).shape == (8, 32)
    for shape in ((8, 2, 30), (8, 1, 4, 6, 8)):                  # a segment of a series, a cuboid of a volume
        xs = torch.empty(shape, device='meta')
        for mb in (cutmix_batch(xs), cutmix_batch(xs, per_sample=True), cutmixup_batch(xs, per_sample=True)):
            assert mb.x.shape == shape and mb.box.shape[1] == 2*(len(shape) - 2) and mb.mask().shape[1:] == shape[2:]

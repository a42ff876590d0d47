"""One rank of the distributed test (tests/test_distributed.py starts two): fastai's `distrib_ctx` on the CPU, gloo backend.

fastai's `DistributedDL` broadcasts the shuffled indices through CUDA (NCCL only takes CUDA tensors); on a CPU-only
machine the same broadcast goes through gloo with CPU tensors, which is all `_cpu_broadcast` changes.
"""
import json, sys
import torch, torch.distributed as dist
from torch import nn
from sklearn.datasets import load_digits
from fastai.data.core import DataLoaders
from fastai.data.load import DataLoader
from fastai.learner import Learner
from fastai.losses import CrossEntropyLossFlat
from fastai.torch_core import set_seed
from fastai.callback.core import Callback
from fastai.distributed import DistributedDL
from fastmix import MixUp, CutMix, CutMixUp, ManifoldMixUp

def _cpu_broadcast(self, t, rank):
    t = torch.tensor(t, dtype=torch.long)
    dist.broadcast(t, rank)
    return t.tolist()
DistributedDL._broadcast = _cpu_broadcast

class Draws(Callback):
    "Keep every training batch's lam and partners, and check the loss is back after the fit"
    order, run_valid = 1, False
    def __init__(self): self.lams, self.perms = [], []
    def before_batch(self):
        h = next(cb for cb in self.learn.cbs if hasattr(cb, 'mixed'))
        if h.lam is not None: self.lams.append(h.lam.tolist()); self.perms.append(h.perm.tolist())

def main(out):
    dist.init_process_group('gloo')
    rank = dist.get_rank()
    d = load_digits()
    X, Y = torch.tensor(d.images[:256], dtype=torch.float32)[:, None] / 16, torch.tensor(d.target[:256])
    items = list(zip(X, Y))
    res = {}
    for name, make in (('MixUp', lambda: MixUp()), ('CutMix', lambda: CutMix(per_sample=True)), ('CutMixUp', lambda: CutMixUp(seed=3)),
                       ('ManifoldMixUp', lambda: ManifoldMixUp(seed=5))):
        set_seed(0)                                   # the same seed on every rank, as a launcher would have it
        dls = DataLoaders(DataLoader(items, bs=32, shuffle=True, drop_last=True), DataLoader(items[:64], bs=32), device='cpu')
        model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(32, 10))
        loss = CrossEntropyLossFlat()
        learn = Learner(dls, model, loss_func=loss, cbs=[make()])
        learn.logger = lambda *a: None
        draws = Draws()
        with learn.distrib_ctx(sync_bn=False, cpu=True): learn.fit(1, 1e-2, cbs=draws)
        assert learn.loss_func is loss, learn.loss_func
        w = torch.cat([p.detach().flatten() for p in learn.model.parameters()])
        hooks = sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in learn.model.modules())   # none left behind
        res[name] = dict(lams=draws.lams, perms=draws.perms, weights=w.tolist(), n=len(draws.lams), hooks=hooks)
    with open(f'{out}/rank{rank}.json', 'w') as f: json.dump(res, f)
    dist.destroy_process_group()

if __name__ == '__main__': main(sys.argv[1])

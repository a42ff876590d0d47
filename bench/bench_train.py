"""Time whole training steps (forward, loss, backward, optimizer) without mixing and with each fastmix variant and peer.

    python bench/bench_train.py            # on a GPU: ResNet-50 at batch 128, 224 px, and ResNet-18 at batch 512, 32 px
    python bench/bench_train.py --quick    # a smoke run that works anywhere: ResNet-18 at batch 16, 32 px, few steps

What it answers: does mixing slow training down? A mixing step costs little next to a training step, unless it makes
the host wait for the GPU (`.item()`, a slice bound read from a device tensor), which empties the queue of launched
kernels. Every variant trains the same model on the same batch with the same optimizer (SGD with momentum; bfloat16
autocast on CUDA, channels-last). Rounds run the variants in a new random order each time, each for `--steps` steps
timed between two synchronisations; the table gives the median time per step and the median over rounds of each
variant's time divided by the no-mixing time of the same round. Peers that are not installed are skipped. The batch is
made once and reused, so timm's modes, which write into their input, are not given a copy (a loader would hand them a
new batch each step); that only moves the values of the batch, not the time a step takes.
"""
import argparse, json, platform, random, statistics, time, warnings
from types import SimpleNamespace
import torch
import torch.nn.functional as F

warnings.filterwarnings('ignore')

def soft_ce(pred, target):
    "Cross entropy with soft (mixed one-hot) targets, as timm's and torchvision's mixes need"
    return torch.sum(-target * F.log_softmax(pred.float(), -1), -1).mean()

def variants(x, y, num_classes):
    "name -> function of the model giving the loss of one step"
    from fastmix import mixup_batch, cutmix_batch, cutmixup_batch
    vs = {'no mixing': lambda m: F.cross_entropy(m(x), y)}
    def fm(**kw):
        fn = kw.pop('fn')
        def step(m):
            mb = fn(x, y, **kw)
            return mb.loss(F.cross_entropy, m(mb.x))
        return step
    vs['fastmix MixUp'] = fm(fn=mixup_batch)
    vs['fastmix CutMix (batch box)'] = fm(fn=cutmix_batch)
    vs['fastmix CutMix (per-sample boxes)'] = fm(fn=cutmix_batch, per_sample=True)
    vs['fastmix CutMixUp (per sample)'] = fm(fn=cutmixup_batch, per_sample=True)
    try:
        from fastai.callback.mixup import MixUp as FMixUp, CutMix as FCutMix
        from fastai.losses import CrossEntropyLossFlat
        def fastai_step(cls, alpha):
            cb = cls(alpha)
            learn = SimpleNamespace(loss_func=CrossEntropyLossFlat(), xb=(x,), yb=(y,), training=True)
            cb.learn = learn
            cb.before_train()                      # swaps in the callback's loss, as in a fit
            def step(m):
                learn.xb, learn.yb, learn.x, learn.y = (x,), (y,), x, y
                cb.before_batch()
                return learn.loss_func(m(*learn.xb), *learn.yb)
            return step
        vs['fastai MixUp'] = fastai_step(FMixUp, 0.4)
        vs['fastai CutMix'] = fastai_step(FCutMix, 1.)
    except ImportError: pass
    try:
        from timm.data import Mixup
        tm = dict(label_smoothing=0., num_classes=num_classes)
        for name, kw in (('timm Mixup batch', dict(mixup_alpha=.4, mode='batch')), ('timm CutMix batch', dict(mixup_alpha=0., cutmix_alpha=1., mode='batch')),
                         ('timm Mixup elem', dict(mixup_alpha=.4, mode='elem')), ('timm CutMix elem', dict(mixup_alpha=0., cutmix_alpha=1., mode='elem')),
                         ('timm Mixup+CutMix elem', dict(mixup_alpha=.4, cutmix_alpha=1., mode='elem'))):
            def step(m, mix=Mixup(**kw, **tm)):
                xm, ym = mix(x, y)
                return soft_ce(m(xm), ym)
            vs[name] = step
    except ImportError: pass
    try:
        from torchvision.transforms import v2
        for name, mix in (('torchvision MixUp', v2.MixUp(alpha=.4, num_classes=num_classes)), ('torchvision CutMix', v2.CutMix(alpha=1., num_classes=num_classes))):
            def step(m, mix=mix):
                xm, ym = mix(x, y)
                return soft_ce(m(xm), ym)
            vs[name] = step
    except ImportError: pass
    return vs

def bench(arch, bs, px, num_classes, device, rounds, steps, seed=0, warm=3):
    import torchvision
    torch.manual_seed(seed); random.seed(seed)
    cuda = device.type == 'cuda'
    model = getattr(torchvision.models, arch)(num_classes=num_classes).to(device)
    x = torch.randn(bs, 3, px, px, device=device)
    if cuda: model, x = model.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, num_classes, (bs,), device=device)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    vs = variants(x, y, num_classes)
    def run(fn, n):
        for _ in range(n):
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda):
                loss = fn(model)
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    ok, errors = [], {}
    for name, fn in vs.items():                     # warm up (cuDNN's algorithm search); note who fails
        try: run(fn, warm); ok.append(name)
        except Exception as e: errors[name] = f'{type(e).__name__}: {str(e).splitlines()[0][:80]}'
    times = {n: [] for n in ok}
    for _ in range(rounds):
        order = ok[:]; random.shuffle(order)
        for n in order:
            if cuda: torch.cuda.synchronize(device)
            t0 = time.perf_counter(); run(vs[n], steps)
            if cuda: torch.cuda.synchronize(device)
            times[n].append((time.perf_counter() - t0) / steps)
    base = times['no mixing']
    rows = [dict(name=n, median_ms=statistics.median(times[n]) * 1e3,
                 ratio=statistics.median(t / b for t, b in zip(times[n], base))) for n in ok]
    return rows, errors

def report(arch, bs, px, rows, errors):
    "Print one model's table: ms per step, the ratio to no mixing, and the overhead"
    print(f"\n{arch}, batch {bs}, {px} px: ms per training step, and / no mixing (median of per-round ratios)")
    for r in rows: print(f"{r['name']:<46}{r['median_ms']:>10.2f}{r['ratio']:>8.3f}" + ('' if r['name'] == 'no mixing' else f"{r['ratio'] - 1:>+8.1%}"))
    for n, e in errors.items(): print(f"{n:<46} fails: {e}")
    worst = max((r['ratio'] for r in rows if r['name'].startswith('fastmix')), default=None)
    if worst is not None: print(f"slowest fastmix variant: {worst - 1:+.1%} against no mixing")

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help='ResNet-18 at batch 16, 32 px, few rounds: a smoke run on any device')
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--rounds', type=int, default=None, help='shuffled rounds (default 15, quick 3)')
    p.add_argument('--steps', type=int, default=None, help='steps per variant in a round (default 5, quick 1)')
    p.add_argument('--json', default=None, help='where to write the results (default: none)')
    a = p.parse_args(argv)
    dev = torch.device(a.device)
    if dev.type == 'cuda': torch.backends.cudnn.benchmark = True
    configs = [('resnet18', 16, 32, 10)] if a.quick else [('resnet50', 128, 224, 1000), ('resnet18', 512, 32, 10)]
    rounds, steps = a.rounds or (3 if a.quick else 15), a.steps or (1 if a.quick else 5)
    print(f"torch {torch.__version__} on {dev} ({torch.cuda.get_device_name(dev) if dev.type == 'cuda' else platform.processor() or platform.machine()})")
    out = dict(torch=torch.__version__, device=str(dev), rounds=rounds, steps=steps, results=[])
    for arch, bs, px, nc in configs:
        rows, errors = bench(arch, bs, px, nc, dev, rounds, steps)
        report(arch, bs, px, rows, errors)
        out['results'].append(dict(arch=arch, bs=bs, px=px, rows=rows, errors=errors))
    if a.json:
        with open(a.json, 'w') as f: json.dump(out, f, indent=1)
        print(f'\nwrote {a.json}')
    return out

if __name__ == '__main__': main()

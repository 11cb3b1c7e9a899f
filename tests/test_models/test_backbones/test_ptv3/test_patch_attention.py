"""PTv3 patch attention: layout, a dense masked reference, chunking."""
import pytest
import torch

from dos_mm.models.backbones.ptv3.patch_attention import (PatchAttention,
                                                          patch_layout)


def points(counts, seed=0):
    """Scans of ``counts`` points: scan index and a random serialized
    order (sorted by scan, as codes with the scan in the top bits are)."""
    g = torch.Generator().manual_seed(seed)
    scan = torch.cat([torch.full((n, ), b) for b, n in enumerate(counts)])
    scan = scan[torch.randperm(len(scan), generator=g)]
    key = scan * 10**6 + torch.randperm(len(scan), generator=g)
    return scan, key.argsort()


def test_layout_cuts_each_scan_into_whole_patches():
    scan, perm = points([7, 3, 10])
    layout = patch_layout(perm, scan, 3, patch_size=4)
    assert layout.patch_size == 4
    assert len(layout.gather) == 8 + 4 + 12
    patches = layout.gather.view(-1, 4)
    for patch in patches:
        rows = patch[patch >= 0]
        assert len(rows) > 0  # never a patch of padding only
        assert len(torch.unique(scan[rows])) == 1  # never two scans
    # every point once, in serialized order, and slot inverts gather
    assert torch.equal(layout.gather[layout.valid], perm)
    assert torch.equal(layout.gather[layout.slot], torch.arange(len(scan)))


def test_patch_larger_than_every_scan_is_one_patch_per_scan():
    scan, perm = points([5, 2])
    layout = patch_layout(perm, scan, 2, patch_size=1024)
    assert layout.patch_size == 5
    assert layout.gather.view(-1, 5)[1].ge(0).sum() == 2


def dense_reference(attn, x, layout):
    """Per patch, float64 softmax(q k^T / sqrt(d)) v over its real points."""
    c, h = x.shape[1], attn.num_heads
    w = attn.qkv.weight.double()
    b = attn.qkv.bias.double()
    qkv = x.double() @ w.T + b
    out = torch.zeros(len(x), c, dtype=torch.float64)
    for patch in layout.gather.view(-1, layout.patch_size):
        rows = patch[patch >= 0]
        q, k, v = qkv[rows].view(len(rows), 3, h, c // h).unbind(1)
        for head in range(h):
            a = torch.softmax(q[:, head] @ k[:, head].T / (c // h)**0.5, 1)
            out[rows, head * (c // h):(head + 1) * (c // h)] = a @ v[:, head]
    return out @ attn.proj.weight.double().T + attn.proj.bias.double()


@pytest.mark.parametrize('max_patches', [1, 3, 4096])
def test_attention_equals_a_dense_masked_reference(max_patches):
    torch.manual_seed(0)
    scan, perm = points([13, 6, 9], seed=1)
    layout = patch_layout(perm, scan, 3, patch_size=4)
    attn = PatchAttention(8, 2, max_patches=max_patches).eval()
    x = torch.randn(len(scan), 8)
    out = attn(x, layout)
    torch.testing.assert_close(
        out.double(), dense_reference(attn, x, layout), atol=1e-5, rtol=1e-5)


def test_padding_changes_nothing_and_gradients_reach_every_point():
    torch.manual_seed(0)
    scan, perm = points([5, 3])
    attn = PatchAttention(8, 2).eval()
    x = torch.randn(len(scan), 8, requires_grad=True)
    # patches of 5: scan 1's three points share a patch with two pads
    layout = patch_layout(perm, scan, 2, patch_size=5)
    assert int((~layout.valid).sum()) == 2
    batch = attn(x, layout)
    # scan 1 alone: one patch of its three points, no padding
    rows = (scan == 1).nonzero()[:, 0]
    alone_perm = torch.argsort(torch.argsort(perm)[rows])
    alone = attn(x[rows], patch_layout(alone_perm, scan[rows] * 0, 1, 5))
    torch.testing.assert_close(batch[rows], alone)
    batch.sum().backward()
    assert (x.grad.abs().sum(1) > 0).all()


def test_channels_must_split_into_heads():
    with pytest.raises(ValueError, match='channels 10.*num_heads 4'):
        PatchAttention(10, 4)


def test_cpu_kernels_are_logged_once(monkeypatch):
    import dos_mm.models.backbones.ptv3.patch_attention as module
    said = []
    monkeypatch.setattr(module, '_CPU_LOGGED', False)
    monkeypatch.setattr(module, 'print_log',
                        lambda msg, **kw: said.append(msg))
    scan, perm = points([6, 4])
    attn = PatchAttention(8, 2)
    layout = patch_layout(perm, scan, 2, patch_size=4)
    for _ in range(3):
        attn(torch.randn(10, 8), layout)
    assert len(said) == 1 and 'CPU' in said[0]

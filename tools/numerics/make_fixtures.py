#!/usr/bin/python3
"""Independent reference outputs for Pixelwise's vgg16 backbone and fcn8 head, computed with PyTorch.

Writes two small .npz fixtures that the Java tests load and must reproduce to 1e-4:

  backbones/src/test/resources/numerics/vgg16-slim.npz
      input [1,37,53,3]; the weights of a slim VGG16 (widths 4,4,8,8,8, fc 8,8, fc6 kernel 7) under
      Pixelwise's variable paths (backbone/block1/conv1/kernel, ...); expected/<endpoint> for every
      endpoint (block1..5, pool1..5, fc7).
  heads/src/test/resources/numerics/fcn8.npz
      endpoints fc7 [1,2,2,8], pool4 [1,3,4,6], pool3 [1,5,7,5] of a 37x53 input; the weights of
      the FCN-8s decoder for 3 classes (head/score_fc7/kernel, head/up_fc7/kernel, ...);
      expected/logits [1,37,53,3].

Tensors are stored NHWC and kernels in TensorFlow's layout ([kh, kw, in, out] for convolutions,
[kh, kw, out, in] for transposed convolutions); the PyTorch computation below uses its own NCHW
layout and conventions (max_pool2d with ceil_mode, conv_transpose2d with padding f/2 then a
top-left crop), so agreement checks Pixelwise's geometry and kernel layouts, not just itself.

A developer tool, not run by the build or CI. Needs python3-torch and python3-numpy (Debian):
    /usr/bin/python3 tools/numerics/make_fixtures.py   (from the repository root; Debian's python)
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

H, W = 37, 53
WIDTHS = [4, 4, 8, 8, 8]
CONVS = [2, 2, 3, 3, 3]
FC = [8, 8]
FC6_KERNEL = 7
CLASSES = 3


def nhwc(t):
    return t.detach().numpy().transpose(0, 2, 3, 1).astype(np.float32).copy()


def conv_kernel_tf(w):
    """torch Conv2d weight [out, in, kh, kw] -> TF conv2d filter [kh, kw, in, out]."""
    return w.transpose(2, 3, 1, 0).astype(np.float32).copy()


def transposed_kernel_tf(w):
    """torch ConvTranspose2d weight [in, out, kh, kw] -> TF Conv2DBackpropInput filter [kh, kw, out, in]."""
    return w.transpose(2, 3, 1, 0).astype(np.float32).copy()


def vgg16(rng):
    x = rng.normal(0, 1, (1, 3, H, W)).astype(np.float32)
    arrays = {"input": x.transpose(0, 2, 3, 1).copy()}
    t = torch.from_numpy(x)
    channels = 3

    def conv(t, name, out, k):
        nonlocal channels
        w = rng.normal(0, np.sqrt(2.0 / (k * k * channels)), (out, channels, k, k)).astype(np.float32)
        b = rng.normal(0, 0.1, out).astype(np.float32)
        arrays[f"backbone/{name}/kernel"] = conv_kernel_tf(w)
        arrays[f"backbone/{name}/bias"] = b
        channels = out
        # 'SAME' for stride 1 and odd k is a symmetric zero pad of k//2.
        return F.relu(F.conv2d(t, torch.from_numpy(w), torch.from_numpy(b), padding=k // 2))

    with torch.no_grad():
        for block in range(5):
            for c in range(CONVS[block]):
                t = conv(t, f"block{block + 1}/conv{c + 1}", WIDTHS[block], 3)
            arrays[f"expected/block{block + 1}"] = nhwc(t)
            # TF's 'SAME' 2x2/2 pool of an odd size pads the end: PyTorch's ceil_mode.
            t = F.max_pool2d(t, 2, 2, ceil_mode=True)
            arrays[f"expected/pool{block + 1}"] = nhwc(t)
        t = conv(t, "fc6", FC[0], FC6_KERNEL)
        t = conv(t, "fc7", FC[1], 1)
        arrays["expected/fc7"] = nhwc(t)
    return arrays


def fcn8(rng):
    def size(stride):
        return -(-H // stride), -(-W // stride)

    endpoints = {"fc7": (32, 8), "pool4": (16, 6), "pool3": (8, 5)}
    feats = {}
    arrays = {}
    for name, (stride, ch) in endpoints.items():
        h, w = size(stride)
        f = rng.normal(0, 1, (1, ch, h, w)).astype(np.float32)
        feats[name] = torch.from_numpy(f)
        arrays[f"endpoint/{name}"] = f.transpose(0, 2, 3, 1).copy()

    def score(name):
        ch = endpoints[name][1]
        w = rng.normal(0, 0.5, (CLASSES, ch, 1, 1)).astype(np.float32)
        b = rng.normal(0, 0.1, CLASSES).astype(np.float32)
        arrays[f"head/score_{name}/kernel"] = conv_kernel_tf(w)
        arrays[f"head/score_{name}/bias"] = b
        return F.conv2d(feats[name], torch.from_numpy(w), torch.from_numpy(b))

    def up(t, name, factor, h, w):
        k = 2 * factor
        wt = rng.normal(0, 0.3, (CLASSES, CLASSES, k, k)).astype(np.float32)
        arrays[f"head/up_{name}/kernel"] = transposed_kernel_tf(wt)
        # Output (n-1)f - 2(f/2) + 2f = nf; then keep the top-left h x w.
        y = F.conv_transpose2d(t, torch.from_numpy(wt), stride=factor, padding=factor // 2)
        return y[:, :, :h, :w]

    with torch.no_grad():
        s = score("fc7")
        s = up(s, "fc7", 2, *size(16)) + score("pool4")
        s = up(s, "pool4", 2, *size(8)) + score("pool3")
        logits = up(s, "pool3", 8, H, W)
    arrays["expected/logits"] = nhwc(logits)
    return arrays


def save(path, arrays):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savez(path, **arrays)
    print(path, ", ".join(f"{k} {list(v.shape)}" for k, v in arrays.items()))


if __name__ == "__main__":
    torch.manual_seed(0)
    save("backbones/src/test/resources/numerics/vgg16-slim.npz", vgg16(np.random.default_rng(20240)))
    save("heads/src/test/resources/numerics/fcn8.npz", fcn8(np.random.default_rng(20241)))

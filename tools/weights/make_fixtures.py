#!/usr/bin/python3
"""Small stand-ins for the VGG16 weight files users have, for testing the import code.

Writes, for a slim VGG16 (block widths 4, 4, 8, 8, 8; fc widths 8, 8; fc6 kernel 7):

  engine/src/test/resources/weights/vgg16-slim-keras.h5
      laid out as Keras' vgg16_weights_tf_dim_ordering_tf_kernels.h5: one group per layer
      (block1_conv1, ..., fc1, fc2, predictions) holding <layer>_W_1:0 and <layer>_b_1:0, the
      dense fc1 kernel as [7*7*8, 8], and the root attribute layer_names.
  engine/src/test/resources/weights/vgg16-slim-notop.npz
      caffe-style names (conv1_1_W, conv1_1_b, ..., conv5_3_b) without the classifier, as the
      widespread vgg16_weights.npz minus fc6..fc8.

Array k (in the order written) holds (k + i/1024) / 1000 at flat row-major index i (computed in
float64, stored as float32), so tests can check every imported value exactly, and a network
started from them still trains. A developer tool, not run by the build; needs python3-h5py and
python3-numpy (Debian). Run from the repository root: /usr/bin/python3 tools/weights/make_fixtures.py
"""
import h5py
import numpy as np

WIDTHS = [4, 4, 8, 8, 8]
CONVS = [2, 2, 3, 3, 3]
FC = [8, 8]
FC6_KERNEL = 7


def layers():
    """(keras name, caffe name, kernel shape, bias shape) of every layer, in network order."""
    out = []
    channels = 3
    for b, (width, convs) in enumerate(zip(WIDTHS, CONVS), start=1):
        for c in range(1, convs + 1):
            out.append((f"block{b}_conv{c}", f"conv{b}_{c}", (3, 3, channels, width), (width,)))
            channels = width
    out.append(("fc1", "fc6", (FC6_KERNEL * FC6_KERNEL * channels, FC[0]), (FC[0],)))
    out.append(("fc2", "fc7", (FC[0], FC[1]), (FC[1],)))
    out.append(("predictions", "fc8", (FC[1], 10), (10,)))
    return out


def pattern(k, shape):
    n = int(np.prod(shape))
    return ((k + np.arange(n, dtype=np.float64) / 1024) / 1000).astype(np.float32).reshape(shape)


def main():
    all_layers = layers()
    with h5py.File("engine/src/test/resources/weights/vgg16-slim-keras.h5", "w") as f:
        f.attrs["layer_names"] = [name.encode() for name, *_ in all_layers]
        k = 0
        for name, _, kernel, bias in all_layers:
            g = f.create_group(name)
            g.attrs["weight_names"] = [f"{name}_W_1:0".encode(), f"{name}_b_1:0".encode()]
            g.create_dataset(f"{name}_W_1:0", data=pattern(k, kernel))
            g.create_dataset(f"{name}_b_1:0", data=pattern(k + 1, bias))
            k += 2
    arrays = {}
    k = 0
    for name, caffe, kernel, bias in all_layers:
        if caffe.startswith("fc"):
            break
        arrays[f"{caffe}_W"] = pattern(k, kernel)
        arrays[f"{caffe}_b"] = pattern(k + 1, bias)
        k += 2
    np.savez("engine/src/test/resources/weights/vgg16-slim-notop.npz", **arrays)


if __name__ == "__main__":
    main()

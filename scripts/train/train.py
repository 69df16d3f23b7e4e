#!/usr/bin/env python3
"""Trains Variant Lens' two demo models and exports them as DeepVariant-contract ONNX models.

Contract (docs/deepvariant.md §5): input NHWC float32 [N, 100, 221, 7] with the (x - 128) / 128
scaling already applied by the caller (it is NOT part of the graph), output softmax [N, 3]
in the order hom-ref, het, hom-alt, dynamic batch. Channels [1,2,3,4,5,6,19] (1.6 WGS layout).

  default    trained from scratch on examples made with DeepVariant's default make_examples
             parameters (<examples>/default.<sample>.tfrecord.gz)
  retrained  fine-tuned from `default` on examples made with min_base_quality 5,
             min_mapping_quality 1, vsc_min_fraction_snps 0.02 (<examples>/retrained.*)

The examples are tf.Examples our encoder wrote (scripts/train/makeTrainingExamples.ts) for the
training samples and contigs only; this script re-checks that no example comes from a held-out
contig (chr20-22) or the held-out sample (HG003-sim) before training on it.

Network ("demo-cnn"): the centre 49 columns of the image (the candidate is at column 110,
docs/deepvariant.md §1.2; reads' per-row channels carry the rest), three 3x3 conv layers with ReLU and max
pooling, global average + max pooling, a 64-unit dense layer and a 3-way softmax: ~33k
parameters, ~140 KB as ONNX.

Determinism: one thread, seeded torch/numpy generators, torch.use_deterministic_algorithms,
examples sorted by (sample, file order) before seeded shuffling.

usage: train.py --examples DIR --samples HG001-sim,HG002-sim --contigs chr1,...,chr19 --out models [--seed 1]
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn

HEIGHT, WIDTH, CHANNELS = 100, 221, 7
CHANNEL_IDS = [1, 2, 3, 4, 5, 6, 19]
# example_info version: 1.6 selects the DeepVariant >= 1.6 downsampling (libstdc++ mt19937_64
# shuffle, (hap, pos, name, read_number) sort; docs/deepvariant.md §1.5) in our encoder — the same one our
# `examples` command uses by default, so training and calling draw images the same way.
EXAMPLE_INFO_VERSION = '1.6.0'
CROP = 49
HELD_OUT_CONTIGS = ['chr20', 'chr21', 'chr22']
HELD_OUT_SAMPLES = ['HG003-sim']

DV_DEFAULT_PARAMS = {
    'min_base_quality': 10, 'min_mapping_quality': 5,
    'vsc_min_fraction_snps': 0.12, 'vsc_min_fraction_indels': 0.06,
    'vsc_min_count_snps': 2, 'vsc_min_count_indels': 2, 'p_error': 0.001,
    'partition_size': 1000, 'max_reads_per_partition': 1500,
    # Our encoder does not realign reads (DeepVariant's default is to realign).
    'realign_reads': False,
}
RETRAINED_CHANGES = {'min_base_quality': 5, 'min_mapping_quality': 1, 'vsc_min_fraction_snps': 0.02}

# ---------------------------------------------------------------------------------------------
# TFRecord + tf.Example reading (protobuf wire format by hand: no TensorFlow on this machine)


def read_tfrecords(path):
    """Yields record payloads. Framing: u64 length, u32 masked crc, payload, u32 masked crc."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        while True:
            head = f.read(12)
            if not head:
                return
            if len(head) != 12:
                raise ValueError(f'{path}: truncated record header')
            (n,) = struct.unpack('<Q', head[:8])
            payload = f.read(n)
            if len(payload) != n or len(f.read(4)) != 4:
                raise ValueError(f'{path}: truncated record')
            yield payload


def _varint(b, i):
    x = 0
    shift = 0
    while True:
        c = b[i]
        i += 1
        x |= (c & 0x7F) << shift
        if c < 0x80:
            return x, i
        shift += 7


def _fields(b):
    """(field number, wire type, value) of a protobuf message; value is bytes or int."""
    i = 0
    n = len(b)
    while i < n:
        key, i = _varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(b, i)
        elif wt == 2:
            ln, i = _varint(b, i)
            v = b[i:i + ln]
            i += ln
        elif wt == 1:
            v = b[i:i + 8]
            i += 8
        elif wt == 5:
            v = b[i:i + 4]
            i += 4
        else:
            raise ValueError(f'unsupported wire type {wt}')
        yield num, wt, v


def parse_example(payload):
    """tf.Example → {name: ('bytes', [..]) | ('int64', [..]) | ('float', [..])}."""
    feats = {}
    for num, _, features in _fields(payload):
        if num != 1:
            continue
        for fnum, _, entry in _fields(features):
            if fnum != 1:
                continue
            key = None
            value = None
            for enum_, _, v in _fields(entry):
                if enum_ == 1:
                    key = bytes(v).decode()
                elif enum_ == 2:
                    value = v
            kind, vals = None, []
            for knum, _, lst in _fields(value or b''):
                if knum == 1:
                    kind = 'bytes'
                    vals = [bytes(v) for n2, _, v in _fields(lst) if n2 == 1]
                elif knum == 2:
                    kind = 'float'
                    for n2, wt, v in _fields(lst):
                        vals += list(struct.unpack(f'<{len(v) // 4}f', v)) if wt == 2 else [struct.unpack('<f', v)[0]]
                elif knum == 3:
                    kind = 'int64'
                    for n2, wt, v in _fields(lst):
                        if wt == 2:
                            j = 0
                            while j < len(v):
                                x, j = _varint(v, j)
                                vals.append(x)
                        else:
                            vals.append(v)
            feats[key] = (kind, vals)
    return feats


def load_examples(path, crop):
    """Centre-cropped uint8 images [N, H, crop, C], labels [N], and loci (for the hold-out check)."""
    half = (WIDTH - 1) // 2
    lo = half - crop // 2
    images, labels, loci = [], [], []
    for payload in read_tfrecords(path):
        f = parse_example(payload)
        shape = f['image/shape'][1]
        if list(shape) != [HEIGHT, WIDTH, CHANNELS]:
            raise ValueError(f'{path}: image shape {shape}, expected {[HEIGHT, WIDTH, CHANNELS]}')
        img = np.frombuffer(f['image/encoded'][1][0], dtype=np.uint8).reshape(HEIGHT, WIDTH, CHANNELS)
        images.append(img[:, lo:lo + crop, :].copy())
        labels.append(int(f['label'][1][0]))
        loci.append(f['locus'][1][0].decode())
    if not images:
        return np.zeros((0, HEIGHT, crop, CHANNELS), np.uint8), np.zeros(0, np.int64), []
    return np.stack(images), np.array(labels, np.int64), loci


# ---------------------------------------------------------------------------------------------
# The network


class DemoCnn(nn.Module):
    """NCHW float input (already scaled) of CROP columns → logits [N, 3]."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(CHANNELS, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 3))

    def forward(self, x):
        h = self.features(x)
        pooled = torch.cat([h.mean(dim=(2, 3)), h.amax(dim=(2, 3))], dim=1)
        return self.head(pooled)


class DeepVariantContract(nn.Module):
    """The exported graph: NHWC [N, 100, 221, 7] scaled input → centre crop → CNN → softmax."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        half = (WIDTH - 1) // 2
        lo = half - CROP // 2
        x = x[:, :, lo:lo + CROP, :].permute(0, 3, 1, 2)
        return torch.softmax(self.net(x), dim=1)


def scale(u8):
    """DeepVariant's preprocessing (x - 128) / 128, done outside the model (docs/deepvariant.md §5)."""
    return (torch.from_numpy(u8).float() - 128.0) / 128.0


def to_nchw(u8):
    return scale(u8).permute(0, 3, 1, 2).contiguous()


# ---------------------------------------------------------------------------------------------
# Training


def select(images, labels, max_homref_ratio, rng):
    """Keeps every variant example and at most max_homref_ratio x as many hom-ref (label 0) ones."""
    idx0 = np.flatnonzero(labels == 0)
    idx_var = np.flatnonzero(labels != 0)
    keep0 = min(len(idx0), int(max_homref_ratio * len(idx_var)))
    chosen0 = np.sort(rng.choice(idx0, size=keep0, replace=False)) if keep0 < len(idx0) else idx0
    idx = np.sort(np.concatenate([idx_var, chosen0]))
    return images[idx], labels[idx]


def fit(net, images, labels, epochs, lr, seed, log_prefix):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=1e-4)
    counts = np.bincount(labels, minlength=3).astype(np.float64)
    # Inverse-frequency class weights (capped) so that the rarer classes are not ignored.
    weights = torch.tensor(np.minimum(counts.sum() / np.maximum(counts, 1) / 3.0, 5.0), dtype=torch.float32)
    loss_fn = nn.CrossEntropyLoss(weight=weights)
    x_all = images
    y_all = torch.from_numpy(labels)
    batch = 64
    for epoch in range(epochs):
        net.train()
        perm = torch.randperm(len(y_all), generator=g).numpy()
        total, correct, loss_sum = 0, 0, 0.0
        for s in range(0, len(perm), batch):
            b = perm[s:s + batch]
            xb = to_nchw(x_all[b])
            yb = y_all[b]
            opt.zero_grad()
            out = net(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            loss_sum += float(loss) * len(b)
            total += len(b)
            correct += int((out.argmax(1) == yb).sum())
        print(f'{log_prefix} epoch {epoch + 1}/{epochs}: loss {loss_sum / total:.4f}, accuracy {correct / total:.4f}', flush=True)
    return net


def confusion(net, images, labels):
    net.eval()
    m = np.zeros((3, 3), np.int64)
    with torch.no_grad():
        for s in range(0, len(labels), 256):
            pred = net(to_nchw(images[s:s + 256])).argmax(1).numpy()
            for t, p in zip(labels[s:s + 256], pred):
                m[t, p] += 1
    return m.tolist()


def export(net, out_dir, seed):
    os.makedirs(out_dir, exist_ok=True)
    model = DeepVariantContract(net).eval()
    dummy = torch.zeros(1, HEIGHT, WIDTH, CHANNELS)
    path = os.path.join(out_dir, 'model.onnx')
    torch.onnx.export(model, dummy, path, input_names=['input'], output_names=['softmax'],
                      dynamic_axes={'input': {0: 'batch'}, 'softmax': {0: 'batch'}}, opset_version=13,
                      do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(path))
    with open(os.path.join(out_dir, 'example_info.json'), 'w') as f:
        json.dump({'version': EXAMPLE_INFO_VERSION, 'shape': [HEIGHT, WIDTH, CHANNELS], 'channels': CHANNEL_IDS}, f)
        f.write('\n')
    return path


def write_card(out_dir, name, description, samples, contigs, params, recipe, stats):
    card = {
        'name': name,
        'version': '1.0.0',
        'description': description,
        'architecture': 'demo-cnn: centre 49 columns, 3x(conv3x3+ReLU), 2 max-pools, global avg+max pool, dense 64, softmax 3 (~33k parameters)',
        'input': {'shape': [HEIGHT, WIDTH, CHANNELS], 'channels': CHANNEL_IDS},
        'trainedOn': {
            'samples': samples,
            'contigs': contigs,
            'heldOutSamples': HELD_OUT_SAMPLES,
            'heldOutContigs': HELD_OUT_CONTIGS,
            'dataset': 'variant-lens simulate --seed 1 (simulated 2x150 reads, ~30x)',
        },
        'makeExamplesParams': params,
        'trainingRecipe': recipe,
        'trainingStats': stats,
        # Filled by scripts/train/evaluate.ts (bcftools isec on HG003-sim chr20-22).
        'evaluation': {'status': 'not evaluated yet: run scripts/train/evaluate.ts'},
    }
    path = os.path.join(out_dir, 'model_card.json')
    with open(path, 'w') as f:
        json.dump(card, f, indent=2)
        f.write('\n')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--examples', required=True)
    ap.add_argument('--samples', required=True)
    ap.add_argument('--contigs', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--epochs', type=int, default=12)
    ap.add_argument('--finetune-epochs', type=int, default=8)
    a = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    torch.use_deterministic_algorithms(True)
    samples = a.samples.split(',')
    contigs = a.contigs.split(',')
    for s in samples:
        if s in HELD_OUT_SAMPLES:
            sys.exit(f'{s} is a held-out sample; it must not be trained on')
    for c in contigs:
        if c in HELD_OUT_CONTIGS:
            sys.exit(f'{c} is a held-out contig; it must not be trained on')

    def load(kind):
        xs, ys = [], []
        for s in samples:
            path = os.path.join(a.examples, f'{kind}.{s}.tfrecord.gz')
            x, y, loci = load_examples(path, CROP)
            bad = [l for l in loci if l.split(':')[0] not in contigs]
            if bad:
                sys.exit(f'{path}: {len(bad)} examples outside the training contigs (first {bad[0]})')
            print(f'{path}: {len(y)} examples, labels 0/1/2 = {np.bincount(y, minlength=3).tolist()}', flush=True)
            xs.append(x)
            ys.append(y)
        return np.concatenate(xs), np.concatenate(ys)

    recipe_common = {
        'command': 'npm run train:models (scripts/train/trainModels.sh)',
        'framework': f'PyTorch {torch.__version__}, exported with torch.onnx (opset 13), single thread, deterministic algorithms',
        'seed': a.seed,
        'preprocessing': '(x - 128) / 128 outside the model (docs/deepvariant.md §5)',
        'loss': 'cross-entropy with inverse-frequency class weights (capped at 5)',
        'optimizer': 'Adam, weight decay 1e-4, batch 64',
    }

    t0 = time.time()
    rng = np.random.default_rng(a.seed)
    x, y = load('default')
    x, y = select(x, y, 1.0, rng)
    net = DemoCnn()
    fit(net, x, y, a.epochs, 1e-3, a.seed, 'default')
    stats_default = {'examples': int(len(y)), 'labels': np.bincount(y, minlength=3).tolist(),
                     'trainConfusion': confusion(net, x, y)}
    print(f'default: trained in {time.time() - t0:.0f} s', flush=True)
    default_state = {k: v.clone() for k, v in net.state_dict().items()}
    export(net, os.path.join(a.out, 'default'), a.seed)
    write_card(os.path.join(a.out, 'default'), 'default',
               'Variant Lens demo model trained with DeepVariant\'s default make_examples parameters on simulated reads. '
               'A tiny CNN for demos and tests, not a substitute for DeepVariant\'s models.',
               samples, contigs, dict(DV_DEFAULT_PARAMS),
               {**recipe_common, 'from': 'random initialisation', 'epochs': a.epochs, 'learningRate': 1e-3,
                'homRefSubsampling': 'at most 1 hom-ref (label 0) example per variant example'},
               stats_default)
    del x, y

    t1 = time.time()
    x, y = load('retrained')
    x, y = select(x, y, 1.0, rng)
    net = DemoCnn()
    net.load_state_dict(default_state)
    fit(net, x, y, a.finetune_epochs, 3e-4, a.seed + 1, 'retrained')
    stats_re = {'examples': int(len(y)), 'labels': np.bincount(y, minlength=3).tolist(),
                'trainConfusion': confusion(net, x, y)}
    print(f'retrained: fine-tuned in {time.time() - t1:.0f} s', flush=True)
    export(net, os.path.join(a.out, 'retrained'), a.seed)
    write_card(os.path.join(a.out, 'retrained'), 'retrained',
               'Variant Lens demo model fine-tuned from `default` on examples made with min_base_quality 5, '
               'min_mapping_quality 1 and vsc_min_fraction_snps 0.02: more candidates (low-fraction and '
               'low-quality ones), so it disagrees with `default` on some sites. Simulated reads only.',
               samples, contigs, {**DV_DEFAULT_PARAMS, **RETRAINED_CHANGES},
               {**recipe_common, 'from': 'models/default (fine-tuned)', 'epochs': a.finetune_epochs, 'learningRate': 3e-4,
                'homRefSubsampling': 'at most 1 hom-ref (label 0) example per variant example'},
               stats_re)
    print(f'trained both models in {time.time() - t0:.0f} s', flush=True)


if __name__ == '__main__':
    main()

"""Reads and writes safetensors files with struct+json, because Debian has no python3-safetensors.

Used by architecture_fixture.py; TerraSeg reads and writes the same format
through DJL (NDList.Encoding.SAFETENSORS).
"""
import json
import os
import struct

import torch

DTYPES = {torch.float32: "F32", torch.int64: "I64"}
TORCH_DTYPES = {name: dtype for dtype, name in DTYPES.items()}


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().cpu().numpy().tobytes()  # little-endian on every platform torch runs on
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in chunks:
            f.write(data)
    os.replace(tmp, path)  # a half-written file never looks like a finished fixture


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = 8 + length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = bytearray(data[body + start:body + end])
        tensors[name] = torch.frombuffer(raw, dtype=TORCH_DTYPES[info["dtype"]]).reshape(info["shape"])
    return tensors

"""Tensors of a file written by torch.save (its zip format), read without
PyTorch: the pickle is loaded by an unpickler that knows only the classes of
a state_dict (as torch.load(weights_only=True) does), so a file that holds
code is refused, not run."""

import collections
import io
import pickle
import zipfile

import numpy as np

from .errors import ImportFailure

_STORAGE_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
    "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_,
}


def _rebuild_tensor(storage, offset, size, stride, *unused):
    """The tensor of `size` and `stride` at `offset` of `storage`, checked to
    lie inside it (as_strided would read any memory)."""
    size, stride, offset = tuple(map(int, size)), tuple(map(int, stride)), int(offset)
    if len(size) != len(stride) or min(size + stride + (offset,), default=0) < 0:
        raise ImportFailure(f"a tensor of size {size}, stride {stride} and offset {offset}")
    itemsize = storage.dtype.itemsize
    if not size:
        if offset >= storage.size:
            raise ImportFailure("a tensor reaches beyond its storage")
        return storage[offset:offset + 1].reshape(()).copy()
    if min(size) == 0:
        return np.zeros(size, storage.dtype)
    end = offset + 1 + sum((s - 1) * st for s, st in zip(size, stride))
    if end > storage.size:
        raise ImportFailure("a tensor reaches beyond its storage")
    return np.lib.stride_tricks.as_strided(
        storage[offset:], shape=tuple(size), strides=tuple(st * itemsize for st in stride)).copy()


def _rebuild_parameter(data, *unused):
    return data


class _Unpickler(pickle.Unpickler):
    def __init__(self, data, archive, prefix):
        super().__init__(io.BytesIO(data))
        self.archive = archive
        self.prefix = prefix

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if (module, name) == ("torch._utils", "_rebuild_parameter"):
            return _rebuild_parameter
        if module == "torch" and name in _STORAGE_DTYPES:
            return _STORAGE_DTYPES[name]
        raise ImportFailure(f"the file holds a {module}.{name}, which is not part of a "
                            f"state_dict: gru-import reads tensors only")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise ImportFailure("a storage reference that torch.save does not write")
        dtype, key, count = pid[1], pid[2], pid[4]
        try:
            data = self.archive.read(f"{self.prefix}data/{key}")
        except KeyError:
            raise ImportFailure(f"storage {key} is missing from the archive") from None
        storage = np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder("<"))
        if storage.size < count:
            raise ImportFailure(f"storage {key} is truncated")
        return storage[:count]


def read_state_dict(path):
    """The name → numpy array mapping that torch.save wrote to `path`."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ImportFailure(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFailure(f"{path}: not a file of torch.save (a zip archive): {error}") \
            from None
    with archive:
        pickles = [n for n in archive.namelist() if n.endswith("/data.pkl")]
        if len(pickles) != 1:
            raise ImportFailure(f"{path}: not a file of torch.save (no data.pkl)")
        prefix = pickles[0][:-len("data.pkl")]
        try:
            byteorder = archive.read(prefix + "byteorder").decode().strip()
        except KeyError:
            byteorder = "little"
        if byteorder != "little":
            raise ImportFailure(f"{path}: tensors of byte order {byteorder!r}")
        try:
            state = _Unpickler(archive.read(pickles[0]), archive, prefix).load()
        except ImportFailure as failure:
            raise ImportFailure(f"{path}: {failure}") from None
        except Exception as error:  # a corrupt pickle raises anything
            raise ImportFailure(f"{path}: a corrupt torch.save file ({error})") from None
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, np.ndarray) for v in state.values()):
        raise ImportFailure(f"{path}: not a state_dict (a mapping of names to tensors)")
    return state

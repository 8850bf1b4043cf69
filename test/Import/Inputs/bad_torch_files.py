"""Writes the bad torch.save files of pytorch-errors.test that need no
PyTorch into a folder: a pickle that would run a command when loaded (the
marker file it would write must not appear), a truncated archive, a zip
without data.pkl, and tensors whose size and stride reach beyond their
storage (written as torch.save writes them, through stand-ins of its
classes)."""
import collections
import os
import pickle
import sys
import types
import zipfile

folder, good = sys.argv[1], sys.argv[2]
os.makedirs(folder, exist_ok=True)


class RunsACommand:
    def __reduce__(self):
        return (os.system, (f"touch {os.path.join(folder, 'marker')}",))


with zipfile.ZipFile(os.path.join(folder, "code.pt"), "w") as archive:
    archive.writestr("code/data.pkl", pickle.dumps({"weight": RunsACommand()}))
with open(good, "rb") as f:
    data = f.read()
with open(os.path.join(folder, "truncated.pt"), "wb") as f:
    f.write(data[: len(data) // 2])
with zipfile.ZipFile(os.path.join(folder, "no_pickle.pt"), "w") as archive:
    archive.writestr("model/version", "3\n")


# Stand-ins of the two torch globals a state_dict's pickle names.
torch_module, utils_module = types.ModuleType("torch"), types.ModuleType("torch._utils")
sys.modules.update({"torch": torch_module, "torch._utils": utils_module})


def _rebuild_tensor_v2(*args):
    raise AssertionError("only pickled")


class FloatStorage:
    pass


_rebuild_tensor_v2.__module__, FloatStorage.__module__ = "torch._utils", "torch"
utils_module._rebuild_tensor_v2, torch_module.FloatStorage = _rebuild_tensor_v2, FloatStorage


class Storage:
    """Storage "0" of 4 floats."""


class Tensor:
    def __init__(self, offset, size, stride):
        self.args = (offset, size, stride)

    def __reduce__(self):
        return (_rebuild_tensor_v2, (Storage(), *self.args, False, collections.OrderedDict()))


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        return ("storage", FloatStorage, "0", "cpu", 4) if isinstance(obj, Storage) else None


for name, tensor in (("beyond", Tensor(0, (10,), (1,))), ("negative", Tensor(3, (2,), (-1,))),
                     ("offset", Tensor(9, (), ()))):
    with zipfile.ZipFile(os.path.join(folder, f"{name}.pt"), "w") as archive:
        with archive.open(f"{name}/data.pkl", "w") as f:
            Pickler(f, protocol=2).dump(collections.OrderedDict(weight_ih_l0=tensor))
        archive.writestr(f"{name}/data/0", bytes(16))

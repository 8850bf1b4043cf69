"""Writes the bad torch.save files of pytorch-errors.test that need no
PyTorch into a folder: a pickle that would run a command when loaded (the
marker file it would write must not appear), a truncated archive and a
zip without data.pkl."""
import os
import pickle
import sys
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

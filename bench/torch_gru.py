"""The PyTorch runner of bench/bench.py: `python torch_gru.py SPEC.json`,
under the project venv (PyPI's torch, peer torch) or /usr/bin/python3
(Debian's python3-torch 1.13, peer torch-debian); harness.py (NumPy only) is
shared. The module's parameters are set once: the weights are constants.

torch.nn.GRU is Keras's reset_after=True GRU (n = tanh(W_in x + b_in +
r * (W_hn h + b_hn))) with the gate blocks in the order r, z, n and the
weights transposed: weight_ih (3U,F), weight_hh (3U,U), bias_ih and bias_hh
(3U) are Keras's input and recurrent biases. A mask becomes a packed sequence
of the rows' lengths (packed in the timed call); h_n is then each row's state
after its last step, which is Keras's last output for a right-padded mask.
"""

import numpy as np
import torch

import harness


def keras_to_torch(weight):
    """Keras's (..., 3U) blocks z, r, h as PyTorch's (3U, ...) blocks r, z, n."""
    z, r, h = np.split(weight, 3, axis=-1)
    return torch.from_numpy(np.ascontiguousarray(np.concatenate([r, z, h], axis=-1).T))


def prepare(case, arrays, spec):
    torch.set_num_threads(spec["threads"])
    assert case["reset_after"], "PyTorch's GRU is reset_after=True only"
    gru = torch.nn.GRU(case["F"], case["U"], batch_first=True)
    with torch.no_grad():
        gru.weight_ih_l0.copy_(keras_to_torch(arrays["kernel"]))
        gru.weight_hh_l0.copy_(keras_to_torch(arrays["recurrent_kernel"]))
        gru.bias_ih_l0.copy_(keras_to_torch(arrays["bias"][0]))
        gru.bias_hh_l0.copy_(keras_to_torch(arrays["bias"][1]))
    gru.eval()
    x = torch.from_numpy(arrays["x"])
    lengths = None if arrays["lengths"] is None else torch.from_numpy(arrays["lengths"])

    def call():
        with torch.inference_mode():
            sequence = x
            if lengths is not None:
                sequence = torch.nn.utils.rnn.pack_padded_sequence(
                    x, lengths, batch_first=True, enforce_sorted=False)
            return gru(sequence)[1][0]

    # ATen's vectorized kernels (ATEN_CPU_CAPABILITY caps them); the matrix
    # products are MKL's (PyPI) or OpenBLAS's (Debian).
    capability = getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", None)
    return call, {"isa": f"ATen {capability()}" if capability else ""}


def version(peer):
    blas = "MKL" if torch.backends.mkl.is_available() else "OpenBLAS"
    return f"torch {torch.__version__} ({blas}, CPU)"


if __name__ == "__main__":
    harness.main({"torch": prepare, "torch-debian": prepare}, version)

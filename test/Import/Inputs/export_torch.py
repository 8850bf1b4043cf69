"""Writes the PyTorch models of the import tests into this folder:

* torch_script.onnx, torch_dynamo.onnx: an embedding, a two-layer
  bidirectional batch-first GRU and a linear head on the last step, exported
  by both of torch.onnx.export's exporters (dynamo=False; dynamo=True, which
  needs onnxscript) with a dynamic batch and steps;
* torch_*.pt: state_dicts of the nn.GRU configurations in STATE_DICTS, and
  torch_outputs.npz: PyTorch's outputs on random inputs (`<name>.inputs.<i>`,
  `<name>.outputs.<i>`) and gru-import's options (`<name>.options`), the
  oracle of test/Import/pytorch.test;
* bad_*.pt: state_dicts that gru-import refuses (two GRUs, an LSTM).

    .venv/bin/python test/Import/Inputs/export_torch.py      (torch, onnxscript)
"""
from pathlib import Path

import numpy as np
import torch
from torch import nn

HERE = Path(__file__).parent
VOCABULARY, WIDTH, UNITS, CLASSES = 20, 8, 6, 3


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCABULARY, WIDTH)
        self.gru = nn.GRU(WIDTH, UNITS, num_layers=2, bidirectional=True, batch_first=True)
        self.head = nn.Linear(2 * UNITS, CLASSES)

    def forward(self, tokens):
        sequence, _ = self.gru(self.embedding(tokens))
        return self.head(sequence[:, -1])


def randomized(module, generator):
    """Asymmetric uniform weights in place of PyTorch's symmetric defaults."""
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.copy_(torch.rand(parameter.shape, generator=generator) * 1.2 - 0.5)
    return module.eval()


class Wrapped(nn.Module):
    """[nn.Embedding,] nn.GRU[, nn.Linear reading `head`], as a user writes it."""

    def __init__(self, gru, embedding=None, head=None, linear=None):
        super().__init__()
        if embedding is not None:
            self.embedding = embedding
        self.gru = gru
        self.reads = head
        if linear is not None:
            self.linear = linear

    def forward(self, x, h0=None):
        if hasattr(self, "embedding"):
            x = self.embedding(x)
        output, h_n = self.gru(x, h0)
        if self.reads is None:
            return output, h_n
        if self.reads == "sequence":
            return self.linear(output)
        if self.reads == "last-step":
            return self.linear(output[:, -1] if self.gru.batch_first else output[-1])
        directions = 2 if self.gru.bidirectional else 1
        return self.linear(torch.cat(list(h_n[-directions:]), dim=1))


# name: (module, gru-import's options, whether it takes h_0)
STATE_DICTS = {
    "torch_stack_h0": (lambda: Wrapped(nn.GRU(5, 4, num_layers=2, bidirectional=True)),
                       ["--initial-state"], True),
    "torch_no_bias": (lambda: Wrapped(nn.GRU(5, 3, num_layers=3, bias=False, batch_first=True)),
                      ["--batch-first"], False),
    "torch_last_step": (lambda: Wrapped(nn.GRU(WIDTH, UNITS, num_layers=2, bidirectional=True,
                                               batch_first=True),
                                        nn.Embedding(VOCABULARY, WIDTH), "last-step",
                                        nn.Linear(2 * UNITS, CLASSES)),
                        ["--batch-first", "--head", "last-step"], False),
    "torch_final_state": (lambda: Wrapped(nn.GRU(WIDTH, 5, bidirectional=True),
                                          nn.Embedding(VOCABULARY, WIDTH), "final-state",
                                          nn.Linear(10, 2)),
                          ["--head", "final-state"], False),
    "torch_sequence": (lambda: Wrapped(nn.GRU(5, 4, batch_first=True), None, "sequence",
                                       nn.Linear(4, 3, bias=False)),
                       ["--batch-first", "--head", "sequence", "--initial-state"], True),
}


def export_state_dicts(generator):
    batch, steps = 3, 7
    outputs = {}
    for name, (make, options, takes_h0) in STATE_DICTS.items():
        model = randomized(make(), generator)
        torch.save(model.state_dict(), HERE / f"{name}.pt")
        gru = model.gru
        shape = (batch, steps) if gru.batch_first else (steps, batch)
        if hasattr(model, "embedding"):
            inputs = [torch.randint(0, VOCABULARY, shape, generator=generator)]
        else:
            inputs = [torch.rand(shape + (gru.input_size,), generator=generator) * 2 - 1]
        if takes_h0:
            directions = 2 if gru.bidirectional else 1
            inputs.append(torch.rand((gru.num_layers * directions, batch, gru.hidden_size),
                                     generator=generator) - 0.4)
        with torch.no_grad():
            result = model(*inputs)
        result = result if isinstance(result, tuple) else (result,)
        outputs[f"{name}.options"] = np.array(options)
        for i, x in enumerate(inputs):
            outputs[f"{name}.inputs.{i}"] = x.numpy()
        for i, y in enumerate(result):
            outputs[f"{name}.outputs.{i}"] = y.numpy()
    np.savez(HERE / "torch_outputs.npz", **outputs)


def export_bad_state_dicts():
    """State_dicts that gru-import refuses (pytorch-errors.test)."""
    two = nn.Module()
    two.first, two.second = nn.GRU(3, 2), nn.GRU(2, 2)
    torch.save(two.state_dict(), HERE / "bad_two_grus.pt")
    torch.save(nn.LSTM(3, 2).state_dict(), HERE / "bad_lstm.pt")


def export_onnx(model):
    tokens = torch.randint(0, VOCABULARY, (3, 5))
    torch.onnx.export(model, (tokens,), HERE / "torch_script.onnx", dynamo=False,
                      input_names=["tokens"], output_names=["logits"],
                      dynamic_axes={"tokens": {0: "batch", 1: "steps"}})
    dims = {0: torch.export.Dim("batch"), 1: torch.export.Dim("steps")}
    torch.onnx.export(model, (tokens,), HERE / "torch_dynamo.onnx", dynamo=True,
                      input_names=["tokens"], output_names=["logits"],
                      dynamic_shapes=(dims,), external_data=False)


def main():
    generator = torch.Generator().manual_seed(5)
    export_onnx(randomized(Classifier(), generator))
    export_state_dicts(generator)
    export_bad_state_dicts()


if __name__ == "__main__":
    main()

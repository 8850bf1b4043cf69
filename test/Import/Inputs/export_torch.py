"""Writes the PyTorch models of the import tests into this folder: an
embedding, a two-layer bidirectional batch-first GRU and a linear head on the
last step, exported by both of torch.onnx.export's exporters (torch_script:
dynamo=False, torch_dynamo: dynamo=True, which needs onnxscript) with a
dynamic batch and steps.

    .venv/bin/python test/Import/Inputs/export_torch.py      (torch, onnxscript)
"""
from pathlib import Path

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


if __name__ == "__main__":
    main()

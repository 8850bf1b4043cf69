"""Writes the .mlir model of a Config: one `func.func @gru_<i>` that takes the
input, the weights and the optional mask and initial state as arguments (in
that order, the order oracle.py gives the inputs in) and returns gru.layer's
result(s)."""

import sys


def _tensor(dims, element="f32"):
    return "tensor<" + "x".join("?" if d is None else str(d) for d in dims) + f"x{element}>"


def _attributes(config):
    attrs = [f"units = {config.units} : i64"]
    if config.activation != "tanh":
        attrs.append(f"activation = #gru.activation<{config.activation}>")
    if config.recurrent_activation != "sigmoid":
        attrs.append(f"recurrent_activation = #gru.activation<{config.recurrent_activation}>")
    for name in ("use_bias", "reset_after"):  # default true
        if not getattr(config, name):
            attrs.append(f"{name} = false")
    for name in ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                 "zero_output_for_mask"):
        if getattr(config, name):
            attrs.append(f"{name} = true")
    return "{" + ", ".join(attrs) + "}"


def _batch_and_steps(config):
    """B and T as the model's types say: None where dynamic."""
    return (config.batch if config.static_batch else None,
            config.schedule[0] if config.static_steps else None)


def _arguments(config):
    """(name, type) of each argument; the names are gru.layer's operand names."""
    batch, steps = _batch_and_steps(config)
    gates = 3 * config.units
    args = [("x", _tensor([batch, steps, config.features])),
            ("kernel", _tensor([config.features, gates])),
            ("recurrent_kernel", _tensor([config.units, gates]))]
    if config.use_bias:
        args.append(("bias", _tensor([2, gates] if config.reset_after else [gates])))
    if config.mask != "none":
        args.append(("mask", _tensor([batch, steps], "i1")))
    if config.initial_state:
        args.append(("initial_state", _tensor([batch, config.units])))
    return args


def argument_names(config):
    return [name for name, _ in _arguments(config)]


def function_text(config):
    batch, steps = _batch_and_steps(config)
    units = config.units
    args = _arguments(config)
    optional = [f"{name}(%{name})" for name, _ in args[3:]]  # bias, mask, initial_state

    results = [_tensor([batch, steps, units] if config.return_sequences else [batch, units])]
    names = ["%out"]
    if config.return_state:
        results.append(_tensor([batch, units]))
        names.append("%state")
    result_types = ", ".join(results)
    signature = ", ".join(f"%{name}: {type_}" for name, type_ in args)
    operand_types = ", ".join(type_ for _, type_ in args)
    if len(results) > 1:
        result_types = f"({result_types})"
    return (f"// {config.describe()}\n"
            f"func.func @{config.name}({signature}) -> {result_types} {{\n"
            f"  {', '.join(names)} = gru.layer %x, %kernel, %recurrent_kernel "
            f"{' '.join(optional + [_attributes(config)])}\n"
            f"      : ({operand_types}) -> {result_types}\n"
            f"  return {', '.join(names)} : {', '.join(results)}\n"
            f"}}\n")


def module_text(configs):
    return "\n".join(function_text(c) for c in configs)


if __name__ == "__main__":
    # python3 model_gen.py [INDEX ...]: print the models of those configs (all by default).
    import configs as configs_module

    selected = configs_module.all_configs()
    if sys.argv[1:]:
        selected = [selected[int(i)] for i in sys.argv[1:]]
    print(module_text(selected), end="")

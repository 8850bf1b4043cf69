//===- Passes.td - gru transformation passes ---------------*- tablegen -*-===//

#ifndef GRU_TRANSFORMS_PASSES_TD
#define GRU_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def GRUAttachTarget : Pass<"gru-attach-target", "::mlir::ModuleOp"> {
  let summary = "Record the CPU that the module is compiled for";
  let description = [{
    Sets the module's `llvm.target` (LLVM's triple, CPU and features) and
    its `dlti.target_system_spec` "CPU" device (vector width and registers,
    cache sizes), from which the CPU lowering takes every tuning choice
    (`gru/Target/CPUTarget.h`). gru-compile runs it with its `--mtriple`,
    `--mcpu` and `--mattr`; a module without a target is compiled for the
    host. An unknown triple, CPU or feature is a diagnostic.

    Example: `gru-opt -gru-attach-target="cpu=x86-64-v3"` for AVX2 code.
  }];
  let options = [
    Option<"triple", "triple", "std::string", /*default=*/"\"\"",
           "LLVM target triple (default: the host's)">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"native\"",
           "LLVM CPU name, or native for the host's CPU and features">,
    Option<"features", "features", "std::string", /*default=*/"\"\"",
           "LLVM features to add or remove, e.g. -avx512f,+fma">
  ];
  let dependentDialects = ["::mlir::DLTIDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def GRUEliminateDropout : Pass<"gru-eliminate-dropout", "::mlir::ModuleOp"> {
  let summary = "Remove dropout that cannot act; make training dropout explicit";
  let description = [{
    Dropout acts only in training mode with a rate strictly between 0 and 1
    (rates are clipped to [0, 1] first). Dropout that cannot act is removed:
    its rates become 0, `training` false and the seed is dropped. Dropout that
    acts becomes explicit `gru.dropout_mask` ops feeding the layer's
    `dropout_mask` and `recurrent_dropout_mask` operands: one input mask
    shared by the gates when there is no recurrent dropout, else three input
    masks and three recurrent masks, one per gate.
  }];
  let dependentDialects = ["::mlir::gru::GRUDialect",
                           "::mlir::tensor::TensorDialect"];
}

def GRUMaterializeState : Pass<"gru-materialize-state", "::mlir::ModuleOp"> {
  let summary = "Make the kept state of stateful layers explicit";
  let description = [{
    Each stateful `gru.layer` keeps its final state for the next call. The
    kept state becomes a mutable `ml_program.global` of zeros, loaded as the
    layer's initial state (unless the call passes one, which takes
    precedence) and overwritten with the final state after the call; the
    layer becomes stateless. Code generation later places such globals in the
    model instance, so that instances never share state.
  }];
  let dependentDialects = ["::mlir::gru::GRUDialect",
                           "::mlir::ml_program::MLProgramDialect"];
}

def GRUUnroll : Pass<"gru-unroll", "::mlir::ModuleOp"> {
  let summary = "Expand layers with `unroll = true` into straight-line steps";
  let description = [{
    Each `gru.layer` with `unroll = true` (static T) becomes T `gru.cell`
    steps with the layer's masking, `go_backwards`, `return_sequences`,
    `return_state` and `initial_state` semantics spelled out in `tensor`,
    `linalg` and `arith` ops. Training-mode dropout and the state of stateful
    layers must already be explicit (run `gru-eliminate-dropout` and
    `gru-materialize-state` first). Unrolling is for short sequences: a layer
    of more than 64 steps (`kMaxUnrolledSteps`) is a diagnostic.
  }];
  let dependentDialects = ["::mlir::gru::GRUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def GRUExportRegularization
    : Pass<"gru-export-regularization", "::mlir::ModuleOp"> {
  let summary = "Export regularization-loss and constraint functions";
  let description = [{
    For each public function F whose layers have regularizers or
    constraints, adds `@F_regularization_loss`, returning what Keras's
    `layer.losses` sums (the weight regularizers' penalties, plus the
    activity regularization of F's latest call, which F keeps in model state),
    and `@F_apply_constraints`, returning the constrained weights, marked
    `gru.in_place` (result i replaces argument i). Weights that are F's
    arguments become their arguments (`gru.arg_name` keeps F's names);
    constant weights are copied in.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::gru::GRUDialect",
                           "::mlir::ml_program::MLProgramDialect",
                           "::mlir::tensor::TensorDialect"];
}

def GRUBindInstance : Pass<"gru-bind-instance", "::mlir::ModuleOp"> {
  let summary = "Pass per-instance model data to public functions explicitly";
  let description = [{
    Makes each public function pure with respect to the model instance. Each
    kept-state global (from `gru-materialize-state`) that the function loads
    becomes an argument and each one it stores an extra result, marked with
    `gru.state = @global`. `gru.dropout_mask` ops become a per-element
    Philox4x32-10 computation keyed by the layer's seed (or the instance's,
    argument `gru.instance_seed`) with the instance's call count (argument
    `gru.call_count`) in the counter: every call draws new masks, and the
    same seed and call count draw the same ones. The state globals are
    erased; `gru-compile` gives each model instance its own storage. Tensor
    arguments of public functions are marked `bufferization.writable = false`:
    callers own them, so they are never updated in place.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def GRUApproximateMath : Pass<"gru-approximate-math"> {
  let summary = "Polynomial approximations of f32 transcendental math ops";
  let description = [{
    Rewrites `math.tanh`, `math.exp`, `math.expm1`, `math.log1p`, `math.erf`
    and the other ops MLIR approximates into arith ops (a few ulp of error),
    so that the fused gate math vectorizes instead of calling libm per
    element.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def GRUVectorizeTransposes
    : Pass<"gru-vectorize-transposes", "::mlir::func::FuncOp"> {
  let summary = "Row copies as vectors for transposes that keep the last "
                "dimension";
  let description = [{
    Rewrites each `linalg.transpose` on buffers whose permutation keeps the
    innermost dimension innermost (the packing of weights into column panels)
    into a loop nest over the other dimensions that copies one contiguous row
    per iteration with `vector.transfer_read`/`transfer_write`.
    `convert-linalg-to-loops` would copy element by element, which LLVM does
    not vectorize: at every call with weights as arguments, that was 3% of
    the time of a 512-unit layer.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def GRUSelectImpl : Pass<"gru-select-impl"> {
  let summary = "Choose cuDNN or the fused implementation for each layer";
  let description = [{
    Records on each `gru.layer` the implementation it will use, as the `impl`
    attribute, following docs/GRU_SEMANTICS.md section 8. With `target=cpu` every
    layer is `fused`. With `target=gpu` a layer that meets every compile-time
    condition is `cudnn`, or `cudnn_if_right_padded` when it has a mask (the
    runtime checks that the mask is strictly right-padded and otherwise runs
    the fused path). A layer that fails a condition gets `fused` and a remark
    naming each failed condition, e.g.
    `recurrent_dropout is 0.2 in training; cuDNN needs 0`. With
    `cudnn=false` every layer on the GPU is `fused`.
  }];
  let options = [
    Option<"target", "target", "::mlir::gru::Target", "::mlir::gru::Target::cpu",
           "The device the layers run on",
           [{::llvm::cl::values(
               clEnumValN(::mlir::gru::Target::cpu, "cpu", "host CPU"),
               clEnumValN(::mlir::gru::Target::gpu, "gpu", "CUDA GPU"))}]>,
    Option<"cudnn", "cudnn", "bool", "true",
           "Whether layers on a GPU may use cuDNN; without, all are fused">,
  ];
  let dependentDialects = ["::mlir::gru::GRUDialect"];
}

#endif // GRU_TRANSFORMS_PASSES_TD

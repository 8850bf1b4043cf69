//===- GRUOps.td - gru dialect operations ------------------*- tablegen -*-===//

#ifndef GRU_OPS_TD
#define GRU_OPS_TD

include "gru/IR/GRUAttrs.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def GRU_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;
def GRU_MaskTensor : RankedTensorOf<[I1]>;

def GRU_RegularizerAttr
    : Attr<CPred<"::llvm::isa<::mlir::gru::RegularizerAttrInterface>($_self)">,
           "Keras regularizer"> {
  let storageType = "::mlir::gru::RegularizerAttrInterface";
  let returnType = "::mlir::gru::RegularizerAttrInterface";
  let convertFromStorage = "$_self";
}

def GRU_ConstraintAttr
    : Attr<CPred<"::llvm::isa<::mlir::gru::ConstraintAttrInterface>($_self)">,
           "Keras constraint"> {
  let storageType = "::mlir::gru::ConstraintAttrInterface";
  let returnType = "::mlir::gru::ConstraintAttrInterface";
  let convertFromStorage = "$_self";
}

def GRU_InitializerAttr
    : Attr<CPred<"::llvm::isa<::mlir::gru::InitializerAttrInterface>($_self)">,
           "Keras initializer"> {
  let storageType = "::mlir::gru::InitializerAttrInterface";
  let returnType = "::mlir::gru::InitializerAttrInterface";
  let convertFromStorage = "$_self";
}

//===----------------------------------------------------------------------===//
// gru.layer
//===----------------------------------------------------------------------===//

def GRU_LayerOp : GRU_Op<"layer", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
                              ["reifyResultShapes"]>]> {
  let summary = "one call of a Keras 3 `GRU` layer";
  let description = [{
    Runs a GRU over `input` `(B, T, F)` with the semantics of
    `keras.layers.GRU` (see docs/GRU_SEMANTICS.md). Operands are the input, the
    `kernel` `(F, 3U)` and `recurrent_kernel` `(U, 3U)` with gate blocks in
    the order z, r, h, and the optional `bias` (`(2, 3U)` when
    `reset_after`, `(3U)` otherwise; present exactly when `use_bias`), `mask`
    `(B, T)` and `initial_state` `(B, U)`.

    `dropout_mask` `(N, B, F)` and `recurrent_dropout_mask` `(3, B, U)` are
    the explicit inverted-dropout masks that `gru-eliminate-dropout` creates
    for training-mode dropout (N is 3 when recurrent dropout is active, one
    mask per gate, else 1, shared by the gates); a layer that has them has
    rates of 0.

    Results are `output` (`(B, T, U)` when `return_sequences`, else `(B, U)`)
    and, when `return_state`, `final_state` `(B, U)`.

    `clip` is not a Keras argument but ONNX's GRU attribute: a positive bound
    that clips the input of every gate's activation into `[-clip, clip]`
    (docs/GRU_SEMANTICS.md section 2).

    A stateful layer keeps its final state in the model instance and starts
    the next call from it, and training-mode dropout draws new masks on each
    call: such layers read and write model state. Other layers are pure.

    Example:

    ```mlir
    %out, %h = gru.layer %x, %k, %rk bias(%b) mask(%m)
        {units = 4 : i64, return_sequences = true, return_state = true}
        : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>,
           tensor<2x12xf32>, tensor<?x?xi1>)
        -> (tensor<?x?x4xf32>, tensor<?x4xf32>)
    ```
  }];

  let arguments =
      (ins GRU_FloatTensor:$input, GRU_FloatTensor:$kernel,
          GRU_FloatTensor:$recurrent_kernel, Optional<GRU_FloatTensor>:$bias,
          Optional<GRU_MaskTensor>:$mask,
          Optional<GRU_FloatTensor>:$initial_state,
          Optional<GRU_FloatTensor>:$dropout_mask,
          Optional<GRU_FloatTensor>:$recurrent_dropout_mask, I64Attr:$units,
          DefaultValuedAttr<GRU_ActivationAttr,
                            "::mlir::gru::Activation::tanh">:$activation,
          DefaultValuedAttr<
              GRU_ActivationAttr,
              "::mlir::gru::Activation::sigmoid">:$recurrent_activation,
          DefaultValuedAttr<BoolAttr, "true">:$use_bias,
          DefaultValuedAttr<BoolAttr, "true">:$reset_after,
          DefaultValuedAttr<F64Attr, "0.0">:$dropout,
          DefaultValuedAttr<F64Attr, "0.0">:$recurrent_dropout,
          OptionalAttr<I64Attr>:$seed,
          DefaultValuedAttr<BoolAttr, "false">:$return_sequences,
          DefaultValuedAttr<BoolAttr, "false">:$return_state,
          DefaultValuedAttr<BoolAttr, "false">:$go_backwards,
          DefaultValuedAttr<BoolAttr, "false">:$stateful,
          DefaultValuedAttr<BoolAttr, "false">:$unroll,
          DefaultValuedAttr<BoolAttr, "false">:$zero_output_for_mask,
          DefaultValuedAttr<BoolAttr, "false">:$training,
          OptionalAttr<F64Attr>:$clip,
          OptionalAttr<GRU_RegularizerAttr>:$kernel_regularizer,
          OptionalAttr<GRU_RegularizerAttr>:$recurrent_regularizer,
          OptionalAttr<GRU_RegularizerAttr>:$bias_regularizer,
          OptionalAttr<GRU_RegularizerAttr>:$activity_regularizer,
          OptionalAttr<GRU_ConstraintAttr>:$kernel_constraint,
          OptionalAttr<GRU_ConstraintAttr>:$recurrent_constraint,
          OptionalAttr<GRU_ConstraintAttr>:$bias_constraint,
          OptionalAttr<GRU_ImplAttr>:$impl);
  let results = (outs GRU_FloatTensor:$output,
                      Optional<GRU_FloatTensor>:$final_state);

  let assemblyFormat = [{
    $input `,` $kernel `,` $recurrent_kernel
    (`bias` `(` $bias^ `)`)?
    (`mask` `(` $mask^ `)`)?
    (`initial_state` `(` $initial_state^ `)`)?
    (`dropout_mask` `(` $dropout_mask^ `)`)?
    (`recurrent_dropout_mask` `(` $recurrent_dropout_mask^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];

  let hasVerifier = 1;
  let hasCanonicalizer = 1;

  let extraClassDeclaration = [{
    /// Dropout rates as they act: clipped to [0, 1] (Keras's rule).
    double getEffectiveDropout();
    double getEffectiveRecurrentDropout();
    /// Whether a dropout rate still acts (training and 0 < rate < 1).
    bool hasActiveDropout();
    bool hasActiveRecurrentDropout();
    /// Why the layer cannot run on cuDNN, one line per failed condition of
    /// docs/GRU_SEMANTICS.md section 8 that is known at compile time.
    ::llvm::SmallVector<std::string> getCuDNNBlockers();
    /// Spells dropout that cannot act as rates of 0, training false and no
    /// seed. Returns whether the op changed.
    bool removeInactiveDropout(::mlir::RewriterBase &rewriter);
  }];
}

//===----------------------------------------------------------------------===//
// gru.cell
//===----------------------------------------------------------------------===//

def GRU_CellOp : GRU_Op<"cell", [AttrSizedOperandSegments, Pure]> {
  let summary = "one GRU step: the new state from one input step and the state";
  let description = [{
    Computes `h'` from `x` `(B, F)` and `h` `(B, U)` by the step equations of
    docs/GRU_SEMANTICS.md section 2, without masking. Weights and `clip` are
    as on `gru.layer`; `dropout_mask` `(N, B, F)` and `recurrent_dropout_mask`
    `(3, B, U)` are applied as section 6 says.

    ```mlir
    %h1 = gru.cell %x0, %h0, %k, %rk bias(%b)
        : (tensor<2x8xf32>, tensor<2x4xf32>, tensor<8x12xf32>,
           tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<2x4xf32>
    ```
  }];

  let arguments =
      (ins GRU_FloatTensor:$input, GRU_FloatTensor:$state,
          GRU_FloatTensor:$kernel, GRU_FloatTensor:$recurrent_kernel,
          Optional<GRU_FloatTensor>:$bias,
          Optional<GRU_FloatTensor>:$dropout_mask,
          Optional<GRU_FloatTensor>:$recurrent_dropout_mask,
          DefaultValuedAttr<GRU_ActivationAttr,
                            "::mlir::gru::Activation::tanh">:$activation,
          DefaultValuedAttr<
              GRU_ActivationAttr,
              "::mlir::gru::Activation::sigmoid">:$recurrent_activation,
          DefaultValuedAttr<BoolAttr, "true">:$reset_after,
          OptionalAttr<F64Attr>:$clip);
  let results = (outs GRU_FloatTensor:$new_state);

  let assemblyFormat = [{
    $input `,` $state `,` $kernel `,` $recurrent_kernel
    (`bias` `(` $bias^ `)`)?
    (`dropout_mask` `(` $dropout_mask^ `)`)?
    (`recurrent_dropout_mask` `(` $recurrent_dropout_mask^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];

  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// gru.dropout_mask
//===----------------------------------------------------------------------===//

def GRU_DropoutMaskOp : GRU_Op<"dropout_mask",
    [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "draws inverted-dropout masks for one layer call";
  let description = [{
    Produces `N` independent masks of shape `(B, D)` whose elements are
    `1/(1 − rate)` with probability `1 − rate` and 0 otherwise. The masks
    depend on `seed`, `stream` (distinct for each mask set of a model) and the
    number of calls the model instance has made: the op reads and advances
    that per-instance counter, which is why it is not pure. Dynamic sizes are
    given as in `tensor.empty`.

    ```mlir
    %m = gru.dropout_mask(%b) {rate = 2.0e-01 : f64, seed = 7 : i64, stream = 0 : i64}
        : tensor<3x?x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Index>:$dynamic_sizes, F64Attr:$rate,
                       OptionalAttr<I64Attr>:$seed, I64Attr:$stream);
  let results = (outs GRU_FloatTensor:$result);
  let assemblyFormat = "`(` $dynamic_sizes `)` attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// gru.activation
//===----------------------------------------------------------------------===//

def GRU_ActivationOp : GRU_Op<"activation", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
                              ["reifyResultShapes"]>]> {
  let summary = "a Keras activation, elementwise";
  let description = [{
    Applies `activation` to every element, with the definitions the layer's
    activations have (docs/GRU_SEMANTICS.md section 3): the activation of a
    `Dense` or `Activation` layer around a GRU.

    ```mlir
    %y = gru.activation %x {activation = #gru.activation<relu>} : tensor<?x4xf32>
    ```
  }];
  let arguments = (ins GRU_FloatTensor:$input, GRU_ActivationAttr:$activation);
  let results = (outs GRU_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// gru.initializer
//===----------------------------------------------------------------------===//

def GRU_InitializerOp : GRU_Op<"initializer", [Pure]> {
  let summary = "a weight filled at compile time by a Keras initializer";
  let description = [{
    Evaluates a Keras initializer for a statically shaped tensor. Random
    initializers are deterministic functions of their seed, so the op folds
    to a constant.

    ```mlir
    %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<8x12xf32>
    ```
  }];
  let arguments = (ins GRU_InitializerAttr:$initializer);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = "`(` $initializer `)` attr-dict `:` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Regularizers and constraints
//===----------------------------------------------------------------------===//

def GRU_WeightPenaltyOp : GRU_Op<"weight_penalty", [Pure]> {
  let summary = "a regularizer's penalty `l1·Σ|w| + l2·Σw²` of a tensor";
  let description = [{
    The regularization loss that `regularizer` adds for `weight` (Keras's
    `regularizer(weight)`), summed over every element.

    ```mlir
    %loss = gru.weight_penalty %kernel #gru.l2<0.01> : tensor<8x12xf32>
    ```
  }];
  let arguments = (ins GRU_FloatTensor:$weight,
                       GRU_RegularizerAttr:$regularizer);
  let results = (outs 0DTensorOf<[F16, BF16, F32, F64]>:$penalty);
  let assemblyFormat = [{
    $weight $regularizer attr-dict `:` type($weight) `->` type($penalty)
  }];
  let hasVerifier = 1;
}

def GRU_ConstrainOp : GRU_Op<"constrain", [Pure, AllTypesMatch<["weight", "result"]>]> {
  let summary = "a weight after a Keras constraint";
  let description = [{
    `constraint` applied to `weight` as Keras applies it after an update
    (docs/GRU_SEMANTICS.md section 7), with norms over the constraint's axis.

    ```mlir
    %k2 = gru.constrain %kernel #gru.max_norm<max_value = 2.0, axis = 0> : tensor<8x12xf32>
    ```
  }];
  let arguments = (ins GRU_FloatTensor:$weight, GRU_ConstraintAttr:$constraint);
  let results = (outs GRU_FloatTensor:$result);
  let assemblyFormat = "$weight $constraint attr-dict `:` type($weight)";
  let hasVerifier = 1;
}

#endif // GRU_OPS_TD

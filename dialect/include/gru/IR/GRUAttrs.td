//===- GRUAttrs.td - gru dialect attributes ----------------*- tablegen -*-===//

#ifndef GRU_ATTRS_TD
#define GRU_ATTRS_TD

include "gru/IR/GRUBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

// The elementwise activations of Keras 3 (GRU_SEMANTICS.md section 3). The
// aliases `swish` and `hard_swish` are accepted by the parser and stored as
// `silu` and `hard_silu`.
def GRU_Activation : I32EnumAttr<"Activation", "elementwise activation", [
    I32EnumAttrCase<"linear", 0>, I32EnumAttrCase<"tanh", 1>,
    I32EnumAttrCase<"sigmoid", 2>, I32EnumAttrCase<"hard_sigmoid", 3>,
    I32EnumAttrCase<"relu", 4>, I32EnumAttrCase<"relu6", 5>,
    I32EnumAttrCase<"leaky_relu", 6>, I32EnumAttrCase<"elu", 7>,
    I32EnumAttrCase<"selu", 8>, I32EnumAttrCase<"celu", 9>,
    I32EnumAttrCase<"softplus", 10>, I32EnumAttrCase<"softsign", 11>,
    I32EnumAttrCase<"silu", 12>, I32EnumAttrCase<"hard_silu", 13>,
    I32EnumAttrCase<"gelu", 14>, I32EnumAttrCase<"exponential", 15>,
    I32EnumAttrCase<"hard_tanh", 16>, I32EnumAttrCase<"sparse_sigmoid", 17>,
    I32EnumAttrCase<"sparse_plus", 18>, I32EnumAttrCase<"squareplus", 19>,
    I32EnumAttrCase<"soft_shrink", 20>, I32EnumAttrCase<"hard_shrink", 21>,
    I32EnumAttrCase<"tanh_shrink", 22>, I32EnumAttrCase<"log_sigmoid", 23>,
    I32EnumAttrCase<"mish", 24>]> {
  let cppNamespace = "::mlir::gru";
  let genSpecializedAttr = 0;
}

def GRU_ActivationAttr : EnumAttr<GRU_Dialect, GRU_Activation, "activation"> {
  let summary = "an elementwise Keras activation, e.g. `#gru.activation<tanh>`";
  let assemblyFormat = ?;
  let hasCustomAssemblyFormat = 1;
}

def GRU_Impl : I32EnumAttr<"Implementation", "implementation chosen for a layer", [
    I32EnumAttrCase<"fused", 0>,
    I32EnumAttrCase<"cudnn", 1>,
    // cuDNN when the run-time mask check finds the mask strictly
    // right-padded, the fused path otherwise.
    I32EnumAttrCase<"cudnn_if_right_padded", 2>]> {
  let cppNamespace = "::mlir::gru";
  let genSpecializedAttr = 0;
}

def GRU_ImplAttr : EnumAttr<GRU_Dialect, GRU_Impl, "impl"> {
  let summary = "the implementation `gru-select-impl` chose";
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Regularizers
//===----------------------------------------------------------------------===//

def GRU_RegularizerAttrInterface : AttrInterface<"RegularizerAttrInterface"> {
  let cppNamespace = "::mlir::gru";
  let description = [{
    A Keras weight regularizer: contributes `l1·Σ|w| + l2·Σw²` to the
    regularization loss and never changes the forward output.
  }];
  let methods = [
    InterfaceMethod<"factor of Σ|w|", "double", "getL1Factor">,
    InterfaceMethod<"factor of Σw²", "double", "getL2Factor">,
  ];
}

class GRU_RegularizerAttr<string name, string mnemonic>
    : GRU_Attr<name, mnemonic,
               [DeclareAttrInterfaceMethods<GRU_RegularizerAttrInterface>]> {
  let genVerifyDecl = 1;
}

def GRU_L1Attr : GRU_RegularizerAttr<"L1", "l1"> {
  let summary = "Keras `L1(l1)`: `l1·Σ|w|`";
  let parameters = (ins GRU_DoubleParam:$l1);
  let assemblyFormat = "`<` $l1 `>`";
}

def GRU_L2Attr : GRU_RegularizerAttr<"L2", "l2"> {
  let summary = "Keras `L2(l2)`: `l2·Σw²` (no factor 1/2)";
  let parameters = (ins GRU_DoubleParam:$l2);
  let assemblyFormat = "`<` $l2 `>`";
}

def GRU_L1L2Attr : GRU_RegularizerAttr<"L1L2", "l1_l2"> {
  let summary = "Keras `L1L2(l1, l2)`: `l1·Σ|w| + l2·Σw²`";
  let parameters = (ins GRU_DoubleParam:$l1, GRU_DoubleParam:$l2);
  let assemblyFormat = "`<` struct(params) `>`";
}

//===----------------------------------------------------------------------===//
// Constraints
//===----------------------------------------------------------------------===//

def GRU_ConstraintAttrInterface : AttrInterface<"ConstraintAttrInterface"> {
  let cppNamespace = "::mlir::gru";
  let description = [{
    A Keras weight constraint, applied to a weight after an update and never
    in the forward pass.
  }];
  let methods = [
    InterfaceMethod<[{The axis over which the norm is taken, if any.}],
      "std::optional<int64_t>", "getNormAxis">,
  ];
}

class GRU_ConstraintAttr<string name, string mnemonic>
    : GRU_Attr<name, mnemonic,
               [DeclareAttrInterfaceMethods<GRU_ConstraintAttrInterface>]>;

def GRU_MaxNormAttr : GRU_ConstraintAttr<"MaxNorm", "max_norm"> {
  let summary = "Keras `MaxNorm`: `w·clip(n, 0, max_value)/(ε + n)`";
  let parameters = (ins GRU_DoubleParam:$max_value, "int64_t":$axis);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def GRU_NonNegAttr : GRU_ConstraintAttr<"NonNeg", "non_neg"> {
  let summary = "Keras `NonNeg`: `max(w, 0)`";
}

def GRU_UnitNormAttr : GRU_ConstraintAttr<"UnitNorm", "unit_norm"> {
  let summary = "Keras `UnitNorm`: `w/(ε + n)`";
  let parameters = (ins "int64_t":$axis);
  let assemblyFormat = "`<` struct(params) `>`";
}

def GRU_MinMaxNormAttr : GRU_ConstraintAttr<"MinMaxNorm", "min_max_norm"> {
  let summary = "Keras `MinMaxNorm`: `w·(rate·clip(n, min, max) + (1 − rate)·n)/(ε + n)`";
  let parameters = (ins GRU_DoubleParam:$min_value, GRU_DoubleParam:$max_value,
                        GRU_DoubleParam:$rate, "int64_t":$axis);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Initializers
//===----------------------------------------------------------------------===//

def GRU_InitializerAttrInterface : AttrInterface<"InitializerAttrInterface"> {
  let cppNamespace = "::mlir::gru";
  let description = [{
    A Keras weight initializer that `gru.initializer` evaluates at compile
    time. Random initializers are deterministic functions of their seed.
  }];
  let methods = [
    InterfaceMethod<[{Checks that the initializer can fill `shape`.}],
      "::mlir::LogicalResult", "verifyShape",
      (ins "::llvm::ArrayRef<int64_t>":$shape,
           "::llvm::function_ref<::mlir::InFlightDiagnostic()>":$emitError),
      /*methodBody=*/"", /*defaultImplementation=*/"return ::mlir::success();">,
    InterfaceMethod<[{Fills `values` (row-major, of `shape`).}],
      "void", "fill",
      (ins "::llvm::ArrayRef<int64_t>":$shape,
           "::llvm::MutableArrayRef<float>":$values)>,
  ];
}

class GRU_InitializerAttr<string name, string mnemonic,
                          list<string> overridden = ["fill"]>
    : GRU_Attr<name, mnemonic,
               [DeclareAttrInterfaceMethods<GRU_InitializerAttrInterface,
                                            overridden>]>;

// Initializers drawn from a distribution whose scale depends on the fans.
class GRU_VarianceScalingAttr<string name, string mnemonic, string keras>
    : GRU_InitializerAttr<name, mnemonic> {
  let summary = "Keras `" # keras # "(seed)`";
  let parameters = (ins GRU_SeedParam:$seed);
  let assemblyFormat = "`<` struct(params) `>`";
}

def GRU_ZerosAttr : GRU_InitializerAttr<"Zeros", "zeros"> {
  let summary = "Keras `Zeros()`";
}
def GRU_OnesAttr : GRU_InitializerAttr<"Ones", "ones"> {
  let summary = "Keras `Ones()`";
}
def GRU_ConstantAttr : GRU_InitializerAttr<"Constant", "constant"> {
  let summary = "Keras `Constant(value)`";
  let parameters = (ins GRU_DoubleParam:$value);
  let assemblyFormat = "`<` $value `>`";
}
def GRU_RandomNormalAttr : GRU_InitializerAttr<"RandomNormal", "random_normal"> {
  let summary = "Keras `RandomNormal(mean, stddev, seed)`";
  let parameters = (ins GRU_DoubleParam:$mean, GRU_DoubleParam:$stddev,
                        GRU_SeedParam:$seed);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}
def GRU_TruncatedNormalAttr
    : GRU_InitializerAttr<"TruncatedNormal", "truncated_normal"> {
  let summary = "Keras `TruncatedNormal(mean, stddev, seed)`: normal, redrawn beyond 2 stddev";
  let parameters = (ins GRU_DoubleParam:$mean, GRU_DoubleParam:$stddev,
                        GRU_SeedParam:$seed);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}
def GRU_RandomUniformAttr : GRU_InitializerAttr<"RandomUniform", "random_uniform"> {
  let summary = "Keras `RandomUniform(minval, maxval, seed)`";
  let parameters = (ins GRU_DoubleParam:$minval, GRU_DoubleParam:$maxval,
                        GRU_SeedParam:$seed);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}
def GRU_GlorotUniformAttr
    : GRU_VarianceScalingAttr<"GlorotUniform", "glorot_uniform", "GlorotUniform">;
def GRU_GlorotNormalAttr
    : GRU_VarianceScalingAttr<"GlorotNormal", "glorot_normal", "GlorotNormal">;
def GRU_HeUniformAttr
    : GRU_VarianceScalingAttr<"HeUniform", "he_uniform", "HeUniform">;
def GRU_HeNormalAttr
    : GRU_VarianceScalingAttr<"HeNormal", "he_normal", "HeNormal">;
def GRU_LecunUniformAttr
    : GRU_VarianceScalingAttr<"LecunUniform", "lecun_uniform", "LecunUniform">;
def GRU_LecunNormalAttr
    : GRU_VarianceScalingAttr<"LecunNormal", "lecun_normal", "LecunNormal">;

def GRU_OrthogonalAttr
    : GRU_InitializerAttr<"Orthogonal", "orthogonal", ["fill", "verifyShape"]> {
  let summary = "Keras `Orthogonal(gain, seed)`";
  let parameters = (ins GRU_DoubleParam:$gain, GRU_SeedParam:$seed);
  let assemblyFormat = "`<` struct(params) `>`";
}
def GRU_IdentityAttr
    : GRU_InitializerAttr<"Identity", "identity", ["fill", "verifyShape"]> {
  let summary = "Keras `Identity(gain)`, for square matrices";
  let parameters = (ins GRU_DoubleParam:$gain);
  let assemblyFormat = "`<` struct(params) `>`";
}

#endif // GRU_ATTRS_TD

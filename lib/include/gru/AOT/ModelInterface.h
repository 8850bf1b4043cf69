//===- ModelInterface.h - the C interface of a compiled model ---*- C++ -*-===//
//
// What the generated C wrapper, header and manifest need to know about each
// public function: its tensors, the size parameters that give their dynamic
// dimensions, which sizes must agree, and the per-instance data it uses.
//
//===----------------------------------------------------------------------===//

#ifndef GRU_AOT_MODELINTERFACE_H
#define GRU_AOT_MODELINTERFACE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include <string>
#include <vector>

namespace mlir::gru {

/// What hideModelSymbols puts before every symbol of a model.
constexpr StringLiteral kHiddenSymbolPrefix = "__gru_model_";

/// A tensor argument or result. Dimension i is `shape[i]` when static, else
/// the size parameter `dimNames[i]`.
struct TensorSpec {
  std::string name;
  Type elementType;
  SmallVector<int64_t> shape;
  SmallVector<std::string> dimNames;
};

/// A size parameter that the module's ops require equal to another size
/// parameter (a mask's batch and the input's) or to a static size.
struct SizeEquality {
  std::string size;
  /// The other size parameter, or a decimal static size.
  std::string mustEqual;
  /// For messages: what `size` and `mustEqual` are ("dimension 0 of 'x'").
  std::string sizeText, mustEqualText;

  bool equalsStaticSize() const {
    return !mustEqual.empty() && mustEqual.front() >= '0' &&
           mustEqual.front() <= '9';
  }
};

struct FunctionInterface {
  /// The C name (`<prefix>_<name>`) and the symbol of the lowered function,
  /// which hideModelSymbols renames so that it cannot clash with anything.
  std::string name, symbol;
  SmallVector<TensorSpec> inputs, outputs;
  /// For functions marked `gru.in_place`: output i is written back into
  /// input `inPlace[i]`, so the C function has no separate output pointer.
  SmallVector<int64_t> inPlace;
  /// The size parameters, in the order the C function takes them.
  SmallVector<std::string> sizes;
  SmallVector<SizeEquality> equalities;
  /// Set by bindInstanceData: whether the function takes the call count and
  /// seed, and the state slot of each state argument and extra result.
  bool usesDropout = false;
  SmallVector<unsigned> stateArguments, stateResults;
};

struct ModelInterface {
  std::vector<FunctionInterface> functions;
  /// The state slots of an instance, by global name, with their types.
  SmallVector<std::pair<std::string, RankedTensorType>> stateSlots;
};

/// Describes the public functions of `module` (before lowering): checks that
/// their arguments and results are tensors of supported types and that their
/// names make a valid C header for `prefix`, names their dynamic dimensions,
/// proves each dynamic result dimension equal to an argument dimension, and
/// collects every equality of argument dimensions that the ops imply.
FailureOr<ModelInterface> analyzeModelInterface(ModuleOp module,
                                                StringRef prefix);

/// Renames every symbol of `module` into a namespace of the compiler's own
/// (`__gru_model_<name>`), so that no model symbol can clash with the C
/// library, the runtime or the lowering's helpers, and records the lowered
/// names in `model`.
LogicalResult hideModelSymbols(ModuleOp module, ModelInterface &model);

/// Adds what gru-bind-instance made explicit (after the tensor pipeline):
/// dropout arguments and state arguments and results.
LogicalResult bindInstanceData(ModuleOp module, ModelInterface &model);

/// The C type name of an element type ("float", "int32_t", ...) and its
/// NumPy name ("float32", ...); empty if unsupported.
StringRef cTypeName(Type type);
StringRef numpyTypeName(Type type);
int64_t byteSize(Type type);

} // namespace mlir::gru

#endif // GRU_AOT_MODELINTERFACE_H

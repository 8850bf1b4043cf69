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

/// A tensor argument or result. Dimension i is `shape[i]` when static, else
/// the size parameter `dimNames[i]`.
struct TensorSpec {
  std::string name;
  Type elementType;
  SmallVector<int64_t> shape;
  SmallVector<std::string> dimNames;
};

/// One size parameter that must equal another (e.g. a mask's batch size and
/// the input's).
struct SizeEquality {
  std::string size, mustEqual;
};

struct FunctionInterface {
  std::string name;
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
/// their arguments and results are tensors of supported types, names their
/// dynamic dimensions, proves each dynamic result dimension equal to an
/// argument dimension, and collects the sizes gru.layer needs equal.
FailureOr<ModelInterface> analyzeModelInterface(ModuleOp module);

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

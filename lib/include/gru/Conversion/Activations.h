//===- Activations.h - Keras activations as arith/math ops ------*- C++ -*-===//

#ifndef GRU_CONVERSION_ACTIVATIONS_H
#define GRU_CONVERSION_ACTIVATIONS_H

#include "gru/IR/GRUAttrs.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::gru {

/// Emits the Keras 3 definition of `activation` applied to the scalar float
/// `x` (docs/GRU_SEMANTICS.md section 3).
Value buildActivation(ImplicitLocOpBuilder &b, Activation activation, Value x);

} // namespace mlir::gru

#endif // GRU_CONVERSION_ACTIVATIONS_H

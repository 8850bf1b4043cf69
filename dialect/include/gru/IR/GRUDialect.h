//===- GRUDialect.h - gru dialect -------------------------------*- C++ -*-===//

#ifndef GRU_IR_GRUDIALECT_H
#define GRU_IR_GRUDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "gru/IR/GRUDialect.h.inc"

namespace mlir::gru {
/// Discardable attributes that the passes put on public functions for the
/// code generator: a kept-state argument or result (`@global`), the
/// instance's call count and seed arguments, an exported argument's name, and
/// the arguments that a function's results update in place.
constexpr StringLiteral kStateAttrName = "gru.state";
constexpr StringLiteral kCallCountAttrName = "gru.call_count";
constexpr StringLiteral kInstanceSeedAttrName = "gru.instance_seed";
constexpr StringLiteral kArgNameAttrName = "gru.arg_name";
constexpr StringLiteral kInPlaceAttrName = "gru.in_place";

/// The compiler's limits (docs/GRU_SEMANTICS.md): beyond them a model gets a
/// diagnostic rather than overflowing sizes or exhausting memory at compile
/// time. `units` keeps 3 * units * units far inside int64_t; an initializer
/// is folded into a constant of at most 2^28 elements (1 GiB of f32); an
/// unrolled layer becomes T straight-line steps, which Keras itself advises
/// only for short sequences.
constexpr int64_t kMaxUnits = int64_t(1) << 16;
constexpr int64_t kMaxInitializerElements = int64_t(1) << 28;
constexpr int64_t kMaxUnrolledSteps = 64;
} // namespace mlir::gru

#endif // GRU_IR_GRUDIALECT_H

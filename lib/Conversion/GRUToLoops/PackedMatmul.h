//===- PackedMatmul.h - products with weights packed for a microkernel ----===//
//
// The recurrent product of every step multiplies by the same weights, so they
// are packed once, before the time loop, into column panels that the
// register-blocked microkernel reads contiguously.
//
//===----------------------------------------------------------------------===//

#ifndef GRU_CONVERSION_GRUTOLOOPS_PACKEDMATMUL_H
#define GRU_CONVERSION_GRUTOLOOPS_PACKEDMATMUL_H

#include "gru/Target/CPUTarget.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::gru {

/// How a (K, N) weight matrix is packed: N is cut into panels of `vectors`
/// vectors of `lanes` columns each, stored as (panels, K, panelWidth) with
/// the columns past N zero.
struct PanelLayout {
  int64_t columns;
  int64_t vectors;
  int64_t lanes;

  /// The layout for N columns: the widest panels (at most the tuning's
  /// widest) that pad the least.
  static PanelLayout forColumns(int64_t columns, const KernelTuning &tuning);

  int64_t panelWidth() const { return vectors * lanes; }
  int64_t panels() const { return llvm::divideCeil(columns, panelWidth()); }
};

/// `weights` (K, N) packed as `layout` says, (panels, K, panelWidth); or
/// (K, groups·N) packed by groups of N columns, (groups, panels, K,
/// panelWidth). A constant, packed at compile time, where the weights are
/// constant f32s that stay in L2.
Value packPanels(ImplicitLocOpBuilder &b, Value weights, PanelLayout layout,
                 const KernelTuning &tuning, int64_t groups = 1);

/// The panels [first, end) of a layout: the columns that one thread of a
/// persistent team owns.
struct PanelRange {
  Value first, end;
};

/// lhs (M, K) · packed weights, plus `bias` (N) when given, written into
/// `into` (M, N). With `range`, only the range's panels, on the calling
/// thread, into `into` (M, the range's columns).
Value packedMatmul(ImplicitLocOpBuilder &b, Value lhs, Value panels, Value bias,
                   Value into, PanelLayout layout, const KernelTuning &tuning,
                   std::optional<PanelRange> range = std::nullopt);

} // namespace mlir::gru

#endif // GRU_CONVERSION_GRUTOLOOPS_PACKEDMATMUL_H

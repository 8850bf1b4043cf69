//===- GPUTarget.h - the GPU that kernels are generated for -----*- C++ -*-===//
//
// What the GPU lowering knows of its target, and how a layer's kernels are
// shaped from it, in one place.
//
//===----------------------------------------------------------------------===//

#ifndef GRU_TARGET_GPUTARGET_H
#define GRU_TARGET_GPUTARGET_H

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cstdint>

namespace mlir::gru {

struct GPUTarget {
  /// Streaming multiprocessors (132 on H100 and H200).
  int64_t multiprocessors = 132;
  /// Threads of a block.
  int64_t threadsPerBlock = 128;
};

/// How the kernels of one layer spread over the GPU.
struct KernelShape {
  /// Blocks of the kernels over all elements (input projection, state).
  int64_t blocks;
  /// Threads of every block.
  int64_t threads;
  /// Units that a block of a step owns, of all three gates: the step
  /// kernels have ceil(U / unitsPerBlock) blocks, at most one per
  /// multiprocessor, so that they can all be resident at once.
  int64_t unitsPerBlock;

  static KernelShape forLayer(const GPUTarget &target, int64_t units) {
    int64_t perBlock = llvm::divideCeil(units, target.multiprocessors);
    return {target.multiprocessors, target.threadsPerBlock,
            std::max<int64_t>(perBlock, 1)};
  }
};

} // namespace mlir::gru

#endif // GRU_TARGET_GPUTARGET_H

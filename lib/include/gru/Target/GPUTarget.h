//===- GPUTarget.h - the GPU that kernels are generated for -----*- C++ -*-===//
//
// What the GPU lowering knows of its target, and how a layer's kernels are
// shaped from it, in one place.
//
//===----------------------------------------------------------------------===//

#ifndef GRU_TARGET_GPUTARGET_H
#define GRU_TARGET_GPUTARGET_H

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cstdint>

namespace mlir::gru {

struct GPUTarget {
  /// Streaming multiprocessors (132 on H100 and H200).
  int64_t multiprocessors = 132;
  /// Threads of a block.
  int64_t threadsPerBlock = 128;
  /// Shared memory that one block may have, in bytes (227 KiB on sm_90).
  int64_t sharedMemoryPerBlock = 227 << 10;
  /// Blocks of the largest portable thread-block cluster; 0 where the
  /// chip has none (before sm_90).
  int64_t clusterBlocks = 8;
  /// Threads that share one dot product of a step at most.
  int64_t splitLimit = 16;

  /// The target of chip `chip` ("sm_80", "sm_90", ...): its shared memory
  /// and clusters; an option that is not negative replaces the chip's.
  static GPUTarget forChip(llvm::StringRef chip, int64_t multiprocessors,
                           int64_t threadsPerBlock, int64_t sharedMemory = -1,
                           int64_t clusterBlocks = -1) {
    GPUTarget target;
    target.multiprocessors = multiprocessors;
    target.threadsPerBlock = threadsPerBlock;
    unsigned version = 0;
    if (chip.consume_front("sm_") &&
        !chip.take_while(llvm::isDigit).getAsInteger(10, version) &&
        version < 90) {
      // sm_80 has 163 KiB for a block; sm_86 and sm_89 99 KiB.
      target.sharedMemoryPerBlock = (version == 80 ? 163 : 99) << 10;
      target.clusterBlocks = 0;
    }
    if (sharedMemory >= 0)
      target.sharedMemoryPerBlock = sharedMemory;
    if (clusterBlocks >= 0)
      target.clusterBlocks = clusterBlocks;
    return target;
  }
};

/// How a layer's steps run on the GPU, from the fastest.
enum class StepRegime {
  /// One persistent launch of one thread-block cluster that holds all of R
  /// in its blocks' shared memory; the blocks meet at cluster barriers.
  cluster,
  /// One persistent launch of co-resident blocks, one per multiprocessor at
  /// most, that hold R in their shared memory; they meet at grid barriers.
  grid,
  /// A launch per phase of a step, reading R from device memory: where R
  /// does not fit the grid's shared memory.
  stepwise,
};

inline llvm::StringRef stringifyStepRegime(StepRegime regime) {
  switch (regime) {
  case StepRegime::cluster:
    return "cluster";
  case StepRegime::grid:
    return "grid";
  case StepRegime::stepwise:
    return "stepwise";
  }
  return "";
}

/// How the kernels of one layer spread over the GPU.
struct KernelShape {
  /// Blocks of the kernels over all elements (input projection, state).
  int64_t blocks;
  /// Threads of every block.
  int64_t threads;
  /// Threads that share a dot product of a step at most.
  int64_t splitLimit;
  StepRegime regime;
  /// Units that a block of a step owns, of all three gates, and the blocks
  /// of a step: ceil(U / unitsPerBlock).
  int64_t unitsPerBlock, stepBlocks;

  /// The row stride of a block's slice of R, (3, S, U + 1): one more than
  /// U, so that the threads of a warp that read the same k of different
  /// units hit different shared-memory banks.
  static int64_t sliceStride(int64_t units) { return units + 1; }
  /// The shared memory of a block of a persistent step kernel: its slice
  /// of R with S units, and its threads' partial dot products.
  static int64_t sharedBytes(int64_t units, int64_t perBlock, int64_t threads) {
    return (3 * perBlock * sliceStride(units) + 3 * threads) *
           int64_t(sizeof(float));
  }
  int64_t sharedBytes(int64_t units) const {
    return sharedBytes(units, unitsPerBlock, threads);
  }

  /// The regime is the first that fits: a cluster where R fits the shared
  /// memory of a cluster's blocks, a grid where it fits that of a block per
  /// multiprocessor, launches per step otherwise.
  static KernelShape forLayer(const GPUTarget &target, int64_t units) {
    auto shape = [&](StepRegime regime, int64_t blocks) {
      int64_t perBlock =
          std::max<int64_t>(llvm::divideCeilSigned(units, blocks), 1);
      return KernelShape{target.multiprocessors,
                         target.threadsPerBlock,
                         target.splitLimit,
                         regime,
                         perBlock,
                         llvm::divideCeilSigned(units, perBlock)};
    };
    auto fits = [&](const KernelShape &s) {
      return s.sharedBytes(units) <= target.sharedMemoryPerBlock;
    };
    if (target.clusterBlocks > 0) {
      KernelShape cluster = shape(StepRegime::cluster, target.clusterBlocks);
      if (fits(cluster))
        return cluster;
    }
    KernelShape grid = shape(StepRegime::grid, target.multiprocessors);
    if (fits(grid))
      return grid;
    return shape(StepRegime::stepwise, target.multiprocessors);
  }
};

} // namespace mlir::gru

#endif // GRU_TARGET_GPUTARGET_H

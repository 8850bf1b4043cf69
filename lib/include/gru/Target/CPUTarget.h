//===- CPUTarget.h - the CPU that code is generated for ---------*- C++ -*-===//
//
// One description of the target CPU: what LLVM is told (triple, CPU,
// features) and what the lowering tunes for (vector width and registers,
// caches). Every tuning choice of the CPU lowering derives from it in
// KernelTuning, in one place.
//
// In IR the target is the module's `llvm.target` attribute (LLVM's triple,
// chip and features) and, optionally, a `dlti.target_system_spec` whose
// "CPU" device overrides the derived numbers (e.g. in tests). A module
// without `llvm.target` is compiled for the host.
//
//===----------------------------------------------------------------------===//

#ifndef GRU_TARGET_CPUTARGET_H
#define GRU_TARGET_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace mlir::gru {

struct CPUTarget {
  std::string triple;       // LLVM's target triple
  std::string cpu;          // LLVM's CPU name, never "native"
  std::string features;     // LLVM's feature string, e.g. "+avx2,+fma,-avx512f"
  int64_t vectorBits = 128; // the widest vectors the code uses
  int64_t vectorRegisters = 16; // registers of that width
  int64_t l1Bytes = 32 << 10;   // L1 data, per core
  int64_t l2Bytes = 512 << 10;  // per core
  /// The features beyond the architecture's baseline that the code may use
  /// and a library checks before it runs (x86: CPUID through
  /// __builtin_cpu_supports, whose names these are).
  std::vector<std::string> runtimeChecks;

  /// The target of gru-compile's --mtriple, --mcpu and --mattr: an empty
  /// triple is the host's; CPU "native" is the host's CPU with its
  /// features (plus `features`). Fails with `error` set for a triple,
  /// CPU or feature LLVM does not know.
  static FailureOr<CPUTarget> resolve(StringRef triple, StringRef cpu,
                                      StringRef features, std::string &error);

  /// The CPU this process runs on.
  static CPUTarget host();

  /// The target recorded on `op`'s module, or the host without one.
  static FailureOr<CPUTarget> of(Operation *op, std::string &error);

  /// Records this target on `module` (`llvm.target` and the CPU's
  /// `dlti.target_system_spec`).
  void attachTo(ModuleOp module) const;

  /// A short name of the vector ISA, e.g. "avx512", "avx2", "neon".
  std::string isa() const;

  bool isX86() const;
  bool isAArch64() const;
};

/// The tuning of the CPU lowering for one target: the register tiles of the
/// microkernel, the panel layout of packed weights, the row blocks, and the
/// work at which threads are woken.
struct KernelTuning {
  int64_t lanes;           // f32 lanes of a vector
  int64_t vectorRegisters; // registers a tile may take
  /// The most vectors in a panel of packed weights (a tile's width).
  int64_t maxPanelVectors;
  /// Rows of the chunks that threads share: the main tile's rows where the
  /// weights stay in L2, and the chunks of the gate loops.
  int64_t threadRows;
  /// Packed weights larger than this stream from L3 (half the L2).
  int64_t l2ResidentBytes;
  /// Bytes of one panel's rows that stay in L1 while row tiles pass over
  /// them (half the L1): deeper panels are multiplied a block of k at a
  /// time.
  int64_t l1PanelBytes;
  /// Bytes of lhs rows a row block keeps in L2 while panels pass over it.
  int64_t rowBlockBytes;
  /// The multiply-adds below which a product stays on one thread.
  int64_t parallelWork = 1 << 20;
  /// The recurrent multiply-adds of a step below which the steps run on a
  /// persistent team of threads that meets at barriers (a third of a
  /// microsecond on two cores) rather than forking threads for each
  /// product and gate loop (two microseconds each).
  int64_t teamWork = 4 << 20;
  /// B·U at which the elementwise work of a step is shared among threads.
  int64_t parallelElements = 4096;
  /// LLVM's prefer-vector-width for the vectorized elementwise loops.
  int64_t preferVectorBits;
  /// The stride of prefetches (the line of x86-64's and AArch64's caches;
  /// a larger line is only prefetched more than once).
  int64_t cacheLineBytes = 64;

  static KernelTuning forTarget(const CPUTarget &target);

  /// The rows of a register tile `vectors` wide: as many as the registers
  /// hold beside the panel row and a broadcast, even, at most 12.
  int64_t tileRows(int64_t vectors) const;

  /// Rows of lhs (K = `depth` floats each) per block: a multiple of every
  /// tile's rows, at least one main tile, at most 192.
  int64_t blockRows(int64_t depth) const;

  /// The k of a block of a panel `width` floats wide that stays in L1: all
  /// of `depth` where it fits, else a multiple of 4 that splits it evenly.
  int64_t depthBlock(int64_t depth, int64_t width) const;
};

} // namespace mlir::gru

#endif // GRU_TARGET_CPUTARGET_H

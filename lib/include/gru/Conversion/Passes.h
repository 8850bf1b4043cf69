//===- Passes.h - gru conversion passes -------------------------*- C++ -*-===//

#ifndef GRU_CONVERSION_PASSES_H
#define GRU_CONVERSION_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::gru {

/// Marks the scf.for of a layer's steps (convert-gru-to-gpu) with the
/// regime that runs its kernels on a GPU ("cluster", "grid", "stepwise":
/// gru::StepRegime).
constexpr llvm::StringLiteral kStepsAttrName = "gru.steps";
/// Marks an allocation whose element [c, ...] only block c of the steps'
/// kernels reads: a persistent kernel keeps it in shared memory.
constexpr llvm::StringLiteral kBlockSlicesAttrName = "gru.block_slices";
/// Marks a function whose buffer arguments its host code only copies to or
/// from the device (gru-map-kernels-to-gpu): a caller may pass device
/// buffers.
constexpr llvm::StringLiteral kDeviceArgumentsAttrName = "gru.device_arguments";

/// Mark the parameters of a function that runs work on the device
/// (convert-gru-to-cudnn's call of cuDNN): the buffers that must be on the
/// device, and those of them that it writes. gru-map-kernels-to-gpu gives
/// a call's device buffers as it does a kernel's.
constexpr llvm::StringLiteral kDeviceBufferAttrName = "gru.device";
constexpr llvm::StringLiteral kWrittenBufferAttrName = "gru.written";

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "gru/Conversion/Passes.h.inc"

} // namespace mlir::gru

#endif // GRU_CONVERSION_PASSES_H

//===- Passes.h - gru transformation passes ---------------------*- C++ -*-===//

#ifndef GRU_TRANSFORMS_PASSES_H
#define GRU_TRANSFORMS_PASSES_H

#include "gru/IR/GRUDialect.h"
#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::gru {

/// The device `gru-select-impl` chooses implementations for.
enum class Target { cpu, gpu };

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "gru/Transforms/Passes.h.inc"

} // namespace mlir::gru

#endif // GRU_TRANSFORMS_PASSES_H

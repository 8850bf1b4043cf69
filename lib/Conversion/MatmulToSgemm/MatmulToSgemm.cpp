//===- MatmulToSgemm.cpp - the convert-matmul-to-sgemm pass ----------------===//
//
// Bufferized f32 linalg.matmul ops whose rows are contiguous become calls to
// the runtime's `gru_rt_sgemm` (C += A·B), which runs a tuned, threaded sgemm
// (oneDNN's). The elementwise work around them stays in generated code.
//
//===----------------------------------------------------------------------===//

#include "gru/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::gru {
#define GEN_PASS_DEF_CONVERTMATMULTOSGEMM
#include "gru/Conversion/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;

namespace {

constexpr StringLiteral kSgemm = "gru_rt_sgemm";

/// memref<?x?xf32, strided<[?, 1], offset: ?>>: any f32 matrix with
/// contiguous rows.
MemRefType matrixType(MLIRContext *ctx) {
  int64_t dynamic = ShapedType::kDynamic;
  return MemRefType::get(
      {dynamic, dynamic}, Float32Type::get(ctx),
      StridedLayoutAttr::get(ctx, dynamic, ArrayRef<int64_t>{dynamic, 1}));
}

bool hasContiguousRows(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || !type.getElementType().isF32() || type.getRank() != 2)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides[1] == 1;
}

struct ConvertMatmulToSgemmPass
    : gru::impl::ConvertMatmulToSgemmBase<ConvertMatmulToSgemmPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::MatmulOp> matmuls;
    module.walk([&](linalg::MatmulOp op) {
      if (op.hasPureBufferSemantics() &&
          llvm::all_of(op->getOperands(), hasContiguousRows))
        matmuls.push_back(op);
    });
    if (matmuls.empty())
      return;
    MemRefType matrix = matrixType(&getContext());
    declareSgemm(module, matrix);
    for (linalg::MatmulOp op : matmuls) {
      ImplicitLocOpBuilder b(op.getLoc(), op);
      SmallVector<Value> operands;
      for (Value operand : op->getOperands())
        operands.push_back(memref::CastOp::create(b, matrix, operand));
      func::CallOp::create(b, kSgemm, TypeRange{}, operands);
      op.erase();
    }
  }

  void declareSgemm(ModuleOp module, MemRefType matrix) {
    if (module.lookupSymbol(kSgemm))
      return;
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    auto decl = func::FuncOp::create(
        b, module.getLoc(), kSgemm,
        b.getFunctionType({matrix, matrix, matrix}, {}));
    decl.setPrivate();
    decl->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  }
};

} // namespace

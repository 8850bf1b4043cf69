//===- GRUDialect.h - gru dialect -------------------------------*- C++ -*-===//

#ifndef GRU_IR_GRUDIALECT_H
#define GRU_IR_GRUDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "gru/IR/GRUDialect.h.inc"

#endif // GRU_IR_GRUDIALECT_H

//===- GRUOps.h - gru dialect operations ------------------------*- C++ -*-===//

#ifndef GRU_IR_GRUOPS_H
#define GRU_IR_GRUOPS_H

#include "gru/IR/GRUAttrs.h"
#include "gru/IR/GRUDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "gru/IR/GRUOps.h.inc"

#endif // GRU_IR_GRUOPS_H

// RUN: gru-opt %s -gru-approximate-math | FileCheck %s

// Transcendental f32 ops become arith polynomials that LLVM can vectorize.
// CHECK-LABEL: func @gates
// CHECK-NOT: math.tanh
// CHECK-NOT: math.exp
// CHECK: arith.mulf
func.func @gates(%x: f32) -> (f32, f32) {
  %t = math.tanh %x : f32
  %e = math.exp %x : f32
  return %t, %e : f32, f32
}

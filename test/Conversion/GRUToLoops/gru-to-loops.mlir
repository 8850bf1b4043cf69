// RUN: gru-opt %s -gru-attach-target="cpu=sapphirerapids" -convert-gru-to-loops -canonicalize -split-input-file -verify-diagnostics | FileCheck %s

// reset_after = true: the input projection of all T·B rows (x made
// time-major, so that each step reads one block of rows) is one product
// before the time loop (row blocks of 192 over W packed into panels), and R is
// packed into column panels once, also before it.
// Each step is one (B,U)×(U,3U) product by the microkernel (row blocks of
// 192, in each row tiles of 8, 4 and 1 over the packed panels, FMAs on
// vectors; with B dynamic, a version that shares the panels among threads
// for products of at least 2^20 multiply-adds, and a serial one) and one fused generic that
// updates the carried state in place. The product's buffer is carried too,
// so nothing is allocated in the loop.
// CHECK-LABEL: func @reset_after
// CHECK: %[[XT:.*]] = linalg.transpose ins(%arg0 : tensor<?x?x8xf32>) outs(%{{.*}} : tensor<?x?x8xf32>) permutation = [1, 0, 2]
// CHECK: %[[XB:.*]] = tensor.collapse_shape %[[XT]] {{\[\[}}0, 1], [2]] : tensor<?x?x8xf32> into tensor<?x8xf32>
// CHECK: %[[PW:.*]] = linalg.transpose ins(%{{.*}} : tensor<8x1x16xf32>) outs(%{{.*}} : tensor<1x8x16xf32>) permutation = [1, 0, 2]
// CHECK: %[[LARGE:.*]] = arith.cmpi uge, %{{.*}}, %c1048576
// CHECK: %[[PROJ:.*]] = scf.if %[[LARGE]] -> (tensor<?x12xf32>)
// CHECK:   scf.for %{{.*}} = %c0 to %{{.*}} step %c192 iter_args(%{{.*}} = %{{.*}}) -> (tensor<?x12xf32>)
// CHECK:     vector.transfer_read %[[PW]]
// CHECK:     tensor.extract %[[XB]]
// CHECK: } else {
// CHECK: %[[PACKED:.*]] = linalg.transpose ins(%{{.*}} : tensor<4x1x16xf32>) outs(%{{.*}} : tensor<1x4x16xf32>) permutation = [1, 0, 2]
// CHECK: scf.for %[[K:.*]] = %c0 to %[[T:[^ ]*]] step %c1 iter_args(%[[H:[^ ]*]] = %{{[^,]*}}, %[[R:[^ ]*]] = %{{[^,]*}}) -> (tensor<?x4xf32>, tensor<?x12xf32>)
// CHECK-NOT: tensor.empty
// CHECK:   %[[FIRST:.*]] = arith.muli %[[K]], %[[B:.*]] : index
// CHECK:   %[[XS:.*]] = tensor.extract_slice %[[PROJ]][%[[FIRST]], 0] [%[[B]], 12] [1, 1]
// CHECK:   %[[HR:.*]] = scf.if %{{.*}} -> (tensor<?x12xf32>)
// CHECK:   } else {
// CHECK:     scf.for %[[BLOCK:.*]] = %c0 to %{{.*}} step %c192 iter_args(%{{.*}} = %[[R]]) -> (tensor<?x12xf32>)
// CHECK:     %[[MAIN:.*]] = scf.for %[[ROW:.*]] = %[[BLOCK]] to %{{.*}} step %c8 iter_args
// CHECK:       scf.for {{.*}} -> (vector<16xf32>,
// CHECK:         vector.transfer_read %[[PACKED]]
// CHECK:         tensor.extract %[[H]][%[[ROW]],
// CHECK:         vector.fma
// CHECK:     %[[FOUR:.*]] = scf.for {{.*}} step %c4 iter_args(%{{.*}} = %[[MAIN]]) -> (tensor<?x12xf32>)
// CHECK:     scf.for {{.*}} step %c1 iter_args(%{{.*}} = %[[FOUR]]) -> (tensor<?x12xf32>)
// CHECK-NOT: linalg.matmul
// CHECK:   %[[NEW:.*]] = scf.if %{{.*}} -> (tensor<?x4xf32>)
// CHECK:     scf.forall
// CHECK:   } else {
// CHECK:     linalg.generic
// CHECK-SAME: outs(%[[H]] : tensor<?x4xf32>)
// CHECK:       math.tanh
// CHECK:   scf.yield %[[NEW]], %[[HR]]
func.func @reset_after(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) -> tensor<?x4xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// -----

// reset_after = false: the h block of the recurrent product needs r first:
// product with the z and r blocks, r ⊙ h, product with the h block, gate
// math. Each block of R is packed on its own.
// CHECK-LABEL: func @reset_before
// CHECK: linalg.transpose ins(%{{.*}} : tensor<8x1x16xf32>)
// CHECK: %[[PZR:.*]] = linalg.transpose ins(%{{.*}} : tensor<4x1x16xf32>)
// CHECK: %[[PH:.*]] = linalg.transpose ins(%{{.*}} : tensor<4x1x16xf32>)
// CHECK: scf.for
// CHECK:   %[[ZR:.*]] = scf.for {{.*}} -> (tensor<2x8xf32>)
// CHECK:     vector.transfer_read %[[PZR]]
// CHECK:   %[[RH:.*]] = linalg.generic
// CHECK:   %[[HH:.*]] = scf.for {{.*}} -> (tensor<2x4xf32>)
// CHECK:     vector.transfer_read %[[PH]]
// CHECK:     tensor.extract %[[RH]]
// CHECK:   linalg.generic
// CHECK-SAME: %[[HH]] :
// CHECK:   scf.yield
func.func @reset_before(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<12xf32>) -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, reset_after = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

// go_backwards reads step T−1−k; the sequence is stored at k (processing
// order). A mask selects per row and carries the previous output.
// CHECK-LABEL: func @backwards_masked_sequence
// CHECK: scf.for %[[K:.*]] = %c0 to %c5 step %c1 iter_args(%[[H:[^ ]*]] = %{{[^,]*}}, %[[PREV:[^ ]*]] = %{{[^,]*}}, %[[SEQ:[^ ]*]] = %{{[^,]*}},
// CHECK:   %[[T:.*]] = arith.subi %c4, %[[K]]
// CHECK:   tensor.extract_slice %arg3[0, %[[T]]] [2, 1] [1, 1] : tensor<2x5xi1> to tensor<2xi1>
// CHECK:   %[[G:.*]]:2 = linalg.generic
// CHECK-SAME: outs(%[[H]], %[[PREV]] : tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK:     arith.select
// CHECK:   tensor.insert_slice %[[G]]#1 into %[[SEQ]][0, %[[K]], 0] [2, 1, 4]
func.func @backwards_masked_sequence(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %m: tensor<2x5xi1>) -> tensor<2x5x4xf32> {
  %o = gru.layer %x, %k, %rk mask(%m) {units = 4 : i64, use_bias = false, go_backwards = true, return_sequences = true}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x5xi1>) -> tensor<2x5x4xf32>
  return %o : tensor<2x5x4xf32>
}

// -----

// Per-gate dropout masks: the dropped input makes one product per gate, still
// before the loop; the dropped state one product per gate in each step. The
// masks are applied once per call, before the loop, for the input.
// CHECK-LABEL: func @per_gate_dropout
// CHECK-COUNT-3: linalg.transpose ins(%{{.*}} : tensor<8x1x16xf32>)
// CHECK-COUNT-3: linalg.transpose ins(%{{.*}} : tensor<4x1x16xf32>)
// CHECK: scf.for
// CHECK-NOT: linalg.matmul
// CHECK-COUNT-3: tensor.insert_slice %{{.*}} : tensor<2x4xf32> into tensor<2x12xf32>
// CHECK: scf.yield
func.func @per_gate_dropout(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %dm: tensor<3x2x8xf32>, %rdm: tensor<3x2x4xf32>) -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk dropout_mask(%dm) recurrent_dropout_mask(%rdm) {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<3x2x8xf32>, tensor<3x2x4xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

// Steps with more work than the units team takes (B·3U·U at least 2^22)
// where R stays in L2 (here 192 KiB) run on a team whose threads own rows:
// each takes about B / threads rows, a multiple of 4, and runs all their
// steps (products over every panel, gate math) without meeting the others.
// The hoisted input projection shares chunks of 8 rows among threads.
// CHECK-LABEL: func @parallel_rows
// CHECK: scf.forall (%{{.*}}) in (%{{.*}}) shared_outs
// CHECK: %[[SMALL:.*]] = arith.cmpi ult, %{{.*}}, %c4194304
// CHECK: scf.if %[[SMALL]]
// CHECK:   omp.parallel
// CHECK:     func.call @gru_rt_barrier
// CHECK: } else {
// CHECK:   omp.parallel {
// CHECK:     func.call @omp_get_thread_num()
// CHECK:     func.call @omp_get_num_threads()
// CHECK:     %[[PER:.*]] = arith.ceildivui %[[B:.*]], %{{.*}}
// CHECK:     %[[QUADS:.*]] = arith.ceildivui %[[PER]], %c4
// CHECK:     %[[CHUNK:.*]] = arith.muli %[[QUADS]], %c4
// CHECK:     %[[FIRST:.*]] = arith.minui %{{.*}}, %[[B]]
// CHECK:     scf.for
// CHECK:       tensor.extract_slice %{{.*}}[%[[FIRST]], 0] [%{{.*}}, 128]
// CHECK-NOT:   gru_rt_barrier
// CHECK:       linalg.generic
// CHECK-NOT:   gru_rt_barrier
// CHECK:     omp.terminator
func.func @parallel_rows(%x: tensor<?x?x8xf32>, %k: tensor<8x384xf32>, %rk: tensor<128x384xf32>) -> tensor<?x128xf32> {
  %o = gru.layer %x, %k, %rk {units = 128 : i64, use_bias = false}
      : (tensor<?x?x8xf32>, tensor<8x384xf32>, tensor<128x384xf32>) -> tensor<?x128xf32>
  return %o : tensor<?x128xf32>
}

// -----

// Without a team (recurrent dropout: a masked state per gate), each step's
// products share chunks of 8 rows among threads, and the gate math runs in
// the same chunks, reading the state from the chunk of it that it updates;
// so a thread keeps to the rows it wrote.
// CHECK-LABEL: func @parallel_rows_dropout
// CHECK-NOT: omp.parallel
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c1 iter_args(%[[H:[^ ]*]] = %{{[^,]*}}, {{.*}}) -> (tensor<?x128xf32>,
// CHECK:   scf.if
// CHECK:     scf.forall (%{{.*}}) in (%{{.*}}) shared_outs
// CHECK:   scf.if %{{.*}} -> (tensor<?x128xf32>)
// CHECK:     scf.forall (%[[CHUNK:.*]]) = (0) to (%{{.*}}) step (8) shared_outs(%[[S:.*]] = %[[H]])
// CHECK:       %[[OWN:.*]] = tensor.extract_slice %[[S]][%[[CHUNK]], 0] [%{{.*}}, 128] [1, 1]
// CHECK:       linalg.generic
// CHECK-NOT:     %[[H]]
// CHECK-SAME:    outs(%[[OWN]] : tensor<?x128xf32>)
// CHECK:   } else {
// CHECK:     linalg.generic
func.func @parallel_rows_dropout(%x: tensor<?x?x8xf32>, %k: tensor<8x384xf32>, %rk: tensor<128x384xf32>, %m: tensor<3x?x128xf32>) -> tensor<?x128xf32> {
  %o = gru.layer %x, %k, %rk recurrent_dropout_mask(%m) {units = 128 : i64, use_bias = false}
      : (tensor<?x?x8xf32>, tensor<8x384xf32>, tensor<128x384xf32>, tensor<3x?x128xf32>) -> tensor<?x128xf32>
  return %o : tensor<?x128xf32>
}

// -----

// Where R outgrows L2 (here 1.2 MiB) it streams from L3, so threads share
// the panels instead, each reading half of R: each iteration of the
// scf.forall writes its panel's columns of the row block.
// CHECK-LABEL: func @parallel_panels
// CHECK: %[[PR:.*]] = linalg.transpose ins(%{{.*}} : tensor<320x20x48xf32>) outs(%{{.*}} : tensor<20x320x48xf32>)
// CHECK: scf.for
// CHECK:   scf.if
// CHECK:     scf.for %[[FIRST:.*]] = %c0 to %{{.*}} step %c192 iter_args(%[[C:.*]] = %{{.*}})
// CHECK:       scf.forall (%[[PANEL:.*]]) in (20) shared_outs(%[[OUT:.*]] = %[[C]]) -> (tensor<?x960xf32>)
// CHECK:         %[[COLUMN:.*]] = arith.muli %[[PANEL]], %c48
// CHECK:         %[[TILE:.*]] = tensor.extract_slice %[[OUT]][%[[FIRST]], %[[COLUMN]]] [%{{.*}}, 48] [1, 1]
// CHECK:         memref.prefetch
// CHECK:         vector.transfer_read %[[PR]][%[[PANEL]],
// CHECK:         scf.forall.in_parallel
// CHECK-NEXT:      tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[FIRST]], %[[COLUMN]]] [%{{.*}}, 48] [1, 1]
// CHECK:   } else {
func.func @parallel_panels(%x: tensor<?x?x8xf32>, %k: tensor<8x960xf32>, %rk: tensor<320x960xf32>) -> tensor<?x320xf32> {
  %o = gru.layer %x, %k, %rk {units = 320 : i64, use_bias = false}
      : (tensor<?x?x8xf32>, tensor<8x960xf32>, tensor<320x960xf32>) -> tensor<?x320xf32>
  return %o : tensor<?x320xf32>
}

// -----

// A batch of one is time-major as it is: x is reshaped, not transposed.
// CHECK-LABEL: func @batch_of_one
// CHECK-NOT: linalg.transpose ins(%arg0
// CHECK: tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<1x?x8xf32> into tensor<?x8xf32>
func.func @batch_of_one(%x: tensor<1x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<1x4xf32> {
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<1x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<1x4xf32>
  return %o : tensor<1x4xf32>
}

// -----

// A gru.cell is one step without a time loop: x·W and h·R by the
// microkernel (a loop over the rows of B = 2), then the gate math.
// CHECK-LABEL: func @cell
// CHECK: linalg.transpose ins(%{{.*}} : tensor<8x1x16xf32>)
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK:   tensor.extract %arg0
// CHECK: linalg.transpose ins(%{{.*}} : tensor<4x1x16xf32>)
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK:   tensor.extract %arg1
// CHECK-NOT: scf.for
// CHECK: linalg.generic
func.func @cell(%x: tensor<2x8xf32>, %h: tensor<2x4xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  %0 = gru.cell %x, %h, %k, %rk : (tensor<2x8xf32>, tensor<2x4xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Every activation lowers to arith/math (here the ones with special forms).
// CHECK-LABEL: func @activations
// CHECK-DAG: math.erf
// CHECK-DAG: math.expm1
func.func @activations(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, activation = #gru.activation<gelu>, recurrent_activation = #gru.activation<elu>}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

func.func @implicit_dropout(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{convert-gru-to-loops needs explicit dropout masks; run gru-eliminate-dropout first}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, dropout = 0.5}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

func.func @stateful(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{convert-gru-to-loops needs explicit state; run gru-materialize-state first}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, stateful = true}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

func.func @cudnn(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{layer is assigned to cudnn; convert-gru-to-loops lowers fused layers}}
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, impl = #gru.impl<cudnn>}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

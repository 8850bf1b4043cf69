// Every operand combination of gru.layer and gru.cell, with every attribute
// away from its default, prints and parses back, in the custom and the
// generic form.
// RUN: gru-opt %s | gru-opt | FileCheck %s
// RUN: gru-opt %s --mlir-print-op-generic | gru-opt | FileCheck %s

// Defaults are not printed.
// CHECK-LABEL: func @minimal
// CHECK: gru.layer %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}}) {units = 4 : i64} : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
func.func @minimal(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) -> tensor<?x4xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// CHECK-LABEL: func @explicit_defaults
// CHECK: gru.layer {{.*}} {units = 4 : i64} :
func.func @explicit_defaults(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) -> tensor<?x4xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, activation = #gru.activation<tanh>,
      recurrent_activation = #gru.activation<sigmoid>, use_bias = true, reset_after = true,
      dropout = 0.0, recurrent_dropout = 0.0, return_sequences = false, return_state = false,
      go_backwards = false, stateful = false, unroll = false, zero_output_for_mask = false,
      training = false}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// CHECK-LABEL: func @all_operands
// CHECK: %{{.*}}, %{{.*}} = gru.layer %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}}) mask(%{{.*}}) initial_state(%{{.*}}) dropout_mask(%{{.*}}) recurrent_dropout_mask(%{{.*}}) {return_sequences = true, return_state = true, units = 4 : i64}
// CHECK-SAME: -> (tensor<?x?x4xf32>, tensor<?x4xf32>)
func.func @all_operands(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>,
    %b: tensor<2x12xf32>, %m: tensor<?x?xi1>, %h0: tensor<?x4xf32>,
    %dm: tensor<3x?x8xf32>, %rdm: tensor<3x?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>) {
  %o, %h = gru.layer %x, %k, %rk bias(%b) mask(%m) initial_state(%h0) dropout_mask(%dm)
      recurrent_dropout_mask(%rdm) {units = 4 : i64, return_sequences = true, return_state = true}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>, tensor<?x?xi1>,
         tensor<?x4xf32>, tensor<3x?x8xf32>, tensor<3x?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>)
  return %o, %h : tensor<?x?x4xf32>, tensor<?x4xf32>
}

// No bias, reset_after = false, a mask only, an initial state only.
// CHECK-LABEL: func @optional_operands
// CHECK: gru.layer %{{.*}}, %{{.*}}, %{{.*}} {reset_after = false, units = 4 : i64, use_bias = false}
// CHECK: gru.layer %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}}) mask(%{{.*}}) {reset_after = false, units = 4 : i64}
// CHECK: gru.layer %{{.*}}, %{{.*}}, %{{.*}} initial_state(%{{.*}}) {units = 4 : i64, use_bias = false}
// CHECK: gru.layer %{{.*}}, %{{.*}}, %{{.*}} dropout_mask(%{{.*}}) {units = 4 : i64, use_bias = false}
func.func @optional_operands(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>,
    %b: tensor<12xf32>, %m: tensor<2x5xi1>, %h0: tensor<2x4xf32>, %dm: tensor<1x2x8xf32>) {
  %0 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, reset_after = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  %1 = gru.layer %x, %k, %rk bias(%b) mask(%m) {units = 4 : i64, reset_after = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<12xf32>, tensor<2x5xi1>) -> tensor<2x4xf32>
  %2 = gru.layer %x, %k, %rk initial_state(%h0) {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = gru.layer %x, %k, %rk dropout_mask(%dm) {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<1x2x8xf32>) -> tensor<2x4xf32>
  return
}

// Every attribute away from its default.
// CHECK-LABEL: func @all_attributes
// CHECK: gru.layer
// CHECK-SAME: activation = #gru.activation<relu>
// CHECK-SAME: activity_regularizer = #gru.l1<1.000000e-02>
// CHECK-SAME: bias_constraint = #gru.non_neg
// CHECK-SAME: bias_regularizer = #gru.l2<1.000000e-03>
// CHECK-SAME: dropout = 2.000000e-01 : f64
// CHECK-SAME: go_backwards = true
// CHECK-SAME: impl = #gru.impl<fused>
// CHECK-SAME: kernel_constraint = #gru.max_norm<max_value = 3.000000e+00, axis = 0>
// CHECK-SAME: kernel_regularizer = #gru.l1_l2<l1 = 1.000000e-02, l2 = 2.000000e-02>
// CHECK-SAME: recurrent_activation = #gru.activation<hard_sigmoid>
// CHECK-SAME: recurrent_constraint = #gru.min_max_norm<min_value = 5.000000e-01, max_value = 1.500000e+00, rate = 7.500000e-01, axis = 1>
// CHECK-SAME: recurrent_dropout = 3.000000e-01 : f64
// CHECK-SAME: recurrent_regularizer = #gru.l2<5.000000e-01>
// CHECK-SAME: reset_after = false
// CHECK-SAME: return_sequences = true, return_state = true, seed = 1234 : i64, stateful = true,
// CHECK-SAME: training = true, units = 4 : i64, unroll = true, use_bias = false, zero_output_for_mask = true
func.func @all_attributes(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  %o, %h = gru.layer %x, %k, %rk {units = 4 : i64, activation = #gru.activation<relu>,
      recurrent_activation = #gru.activation<hard_sigmoid>, use_bias = false, reset_after = false,
      dropout = 0.2, recurrent_dropout = 0.3, seed = 1234, return_sequences = true,
      return_state = true, go_backwards = true, stateful = true, unroll = true,
      zero_output_for_mask = true, training = true,
      kernel_regularizer = #gru.l1_l2<l1 = 0.01, l2 = 0.02>, recurrent_regularizer = #gru.l2<0.5>,
      bias_regularizer = #gru.l2<0.001>, activity_regularizer = #gru.l1<0.01>,
      kernel_constraint = #gru.max_norm<max_value = 3.0, axis = 0>,
      recurrent_constraint = #gru.min_max_norm<min_value = 0.5, max_value = 1.5, rate = 0.75, axis = 1>,
      bias_constraint = #gru.non_neg, impl = #gru.impl<fused>}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> (tensor<2x5x4xf32>, tensor<2x4xf32>)
  return
}

// CHECK-LABEL: func @cells
// CHECK: gru.cell %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}}) :
// CHECK: gru.cell %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} dropout_mask(%{{.*}}) recurrent_dropout_mask(%{{.*}}) {activation = #gru.activation<elu>, reset_after = false} :
func.func @cells(%x: tensor<?x8xf32>, %h: tensor<?x4xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>,
    %b: tensor<2x12xf32>, %dm: tensor<3x?x8xf32>, %rdm: tensor<3x?x4xf32>) {
  %0 = gru.cell %x, %h, %k, %rk bias(%b)
      : (tensor<?x8xf32>, tensor<?x4xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  %1 = gru.cell %x, %h, %k, %rk dropout_mask(%dm) recurrent_dropout_mask(%rdm)
      {activation = #gru.activation<elu>, reset_after = false}
      : (tensor<?x8xf32>, tensor<?x4xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<3x?x8xf32>,
         tensor<3x?x4xf32>) -> tensor<?x4xf32>
  return
}

// CHECK-LABEL: func @dropout_masks
// CHECK: gru.dropout_mask(%{{.*}}) {rate = 2.500000e-01 : f64, seed = 7 : i64, stream = 0 : i64} : tensor<3x?x8xf32>
// CHECK: gru.dropout_mask() {rate = 5.000000e-01 : f64, stream = 1 : i64} : tensor<1x2x4xf32>
func.func @dropout_masks(%b: index) {
  %0 = gru.dropout_mask(%b) {rate = 0.25 : f64, seed = 7 : i64, stream = 0 : i64} : tensor<3x?x8xf32>
  %1 = gru.dropout_mask() {rate = 0.5 : f64, stream = 1 : i64} : tensor<1x2x4xf32>
  return
}

// f64 layers are accepted as well as f32.
// CHECK-LABEL: func @f64_layer
// CHECK: gru.layer {{.*}} -> tensor<2x4xf64>
func.func @f64_layer(%x: tensor<2x5x8xf64>, %k: tensor<8x12xf64>, %rk: tensor<4x12xf64>) -> tensor<2x4xf64> {
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf64>, tensor<8x12xf64>, tensor<4x12xf64>) -> tensor<2x4xf64>
  return %o : tensor<2x4xf64>
}

// CHECK-LABEL: func.func @activation
// CHECK: gru.activation %{{.*}} {activation = #gru.activation<softsign>} : tensor<?x3xf32>
func.func @activation(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %y = gru.activation %x {activation = #gru.activation<softsign>} : tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

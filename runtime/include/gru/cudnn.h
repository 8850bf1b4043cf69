/* cudnn.h - GRU layers through cuDNN, the calls of convert-gru-to-cudnn.
 *
 * cuDNN 9's RNN API is loaded with dlopen on the first layer that could use
 * it, never by linking: GRU_CUDNN_LIBRARY in the environment names the
 * library to load instead of libcudnn.so.9 (tests use a stand-in). A layer
 * runs through cuDNN only where gru_rt_cudnn_select says so; otherwise its
 * generated code runs the fused kernel, and the instance's dispatch record
 * says why.
 *
 * The buffers are MLIR memref descriptors (the C interface of generated
 * code): `x`, `h0`, `y` and `hy` on the device, `lengths` on the host.
 * Everything runs on the stream of the current call (gru_rt_cuda_enter);
 * failures are recorded for the calling thread, like those of the mgpu*
 * functions (gru/device.h). Hidden: each compiled library keeps its own. */
#ifndef GRU_CUDNN_H
#define GRU_CUDNN_H

#include "gru/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The `options` of gru_rt_cudnn_gru, as convert-gru-to-cudnn sets them. */
enum {
  /* The weights are constants: mapped to cuDNN's layout once per instance,
   * not at every call. */
  GRU_CUDNN_CONSTANT_WEIGHTS = 1 << 0,
  /* `h0` holds the initial state; without, it is zero (`h0` is not read). */
  GRU_CUDNN_INITIAL_STATE = 1 << 1,
  /* `lengths` holds each row's length; without, every row has T steps. */
  GRU_CUDNN_LENGTHS = 1 << 2,
  /* TF32 tensor-core math, faster but beyond the 1e-5 of fp32. */
  GRU_CUDNN_TF32 = 1 << 3,
  /* The cuDNN algorithm (cudnnRNNAlgo_t) in bits 8 to 11. */
  GRU_CUDNN_ALGO_SHIFT = 8,
  GRU_CUDNN_ALGO_MASK = 0xF << GRU_CUDNN_ALGO_SHIFT,
};

typedef GRU_MEMREF_TYPE(1) gru_rt_memref1;
typedef GRU_MEMREF_TYPE(2) gru_rt_memref2;
typedef GRU_MEMREF_TYPE(3) gru_rt_memref3;

/* Whether a mask (B, T) of 0/1 bytes is strictly right-padded: each row a
 * run of ones, at least one, then only zeros. Where it is, `lengths` (B)
 * gets the rows' lengths. */
GRU_RT_HIDDEN bool _mlir_ciface_gru_rt_mask_lengths(gru_rt_memref2 *mask,
                                                    gru_rt_memref1 *lengths);

/* Whether layer `layer` of this call runs through cuDNN: only where
 * `right_padded` (its mask, if any, is) and cuDNN can be loaded and used on
 * the device. Records the decision in the instance's dispatch record
 * (gru_rt_last_dispatch). */
GRU_RT_HIDDEN bool gru_rt_cudnn_select(int64_t layer, bool right_padded);

/* Runs Keras's GRU (reset_after, tanh and sigmoid) over x (B, T, F) from
 * h0 (B, U) with Keras's kernel (F, 3U), recurrent kernel (U, 3U) and bias
 * (2, 3U); writes the outputs of every step to y (B, T, U), zero after a
 * row's length, and each row's last state to hy (B, U). The instance keeps
 * the layer's cuDNN plan (descriptors, weights in cuDNN's layout). The
 * weights are on the device, mapped there at each call; with _constant,
 * they are constants on the host, mapped once. */
GRU_RT_HIDDEN void _mlir_ciface_gru_rt_cudnn_gru_constant(
    int64_t layer, int64_t options, gru_rt_memref3 *x, gru_rt_memref2 *kernel,
    gru_rt_memref2 *recurrent_kernel, gru_rt_memref2 *bias,
    gru_rt_memref1 *lengths, gru_rt_memref2 *h0, gru_rt_memref3 *y,
    gru_rt_memref2 *hy);
GRU_RT_HIDDEN void _mlir_ciface_gru_rt_cudnn_gru(
    int64_t layer, int64_t options, gru_rt_memref3 *x, gru_rt_memref2 *kernel,
    gru_rt_memref2 *recurrent_kernel, gru_rt_memref2 *bias,
    gru_rt_memref1 *lengths, gru_rt_memref2 *h0, gru_rt_memref3 *y,
    gru_rt_memref2 *hy);

#ifdef __cplusplus
}
#endif

#endif /* GRU_CUDNN_H */

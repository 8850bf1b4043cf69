/* fake_cudnn.c - a stand-in for cuDNN 9 (libcudnn.so.9) in tests of the
 * runtime's cuDNN bridge on machines without a GPU, next to the stand-in
 * driver (fake_cuda.c), whose device memory is host memory. Compiled with
 * cuDNN's own headers, so that its functions have cuDNN's signatures.
 *
 * cudnnRNNForward computes what cuDNN documents for CUDNN_GRU with
 * CUDNN_RNN_DOUBLE_BIAS (cudnn_adv.h; its user guide):
 *   r = σ(W_r x + R_r h + b_Wr + b_Rr)   z = σ(W_z x + R_z h + b_Wz + b_Rz)
 *   h' = tanh(W_h x + r ⊙ (R_h h + b_Rh) + b_Wh)   h = (1 − z) ⊙ h' + z ⊙ h
 * for the steps before each row's length, and writes the padding fill
 * after them. Linear layers 0-2 are W_r, W_z, W_h (U × F, row-major), 3-5
 * R_r, R_z, R_h (U × U); the weight space holds them in an order of its
 * own, apart, so that a caller must ask where each is.
 *
 * Each call prints one line ("fake cudnn: ..."). FAKE_CUDNN_FAIL names a
 * function that fails with CUDNN_STATUS_BAD_PARAM (with cudnnCreate:
 * CUDNN_STATUS_NOT_INITIALIZED, as without a GPU). */
#include <cudnn.h>

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cudnnStatus_t call(const char *name) {
  printf("fake cudnn: %s\n", name);
  fflush(stdout);
  const char *fail = getenv("FAKE_CUDNN_FAIL");
  if (!fail || strcmp(fail, name))
    return CUDNN_STATUS_SUCCESS;
  return strcmp(name, "cudnnCreate") ? CUDNN_STATUS_BAD_PARAM
                                     : CUDNN_STATUS_NOT_INITIALIZED;
}

/* The descriptors: one struct for all kinds. */
struct cudnnRNNStruct {
  int features, units;
};
struct cudnnRNNDataStruct {
  int steps, batch, width;
  int lengths[64];
  float fill;
};
struct cudnnTensorStruct {
  int dims, size[8], stride[8];
};
struct cudnnDropoutStruct {
  float rate;
};
static int handle;
static int last_failure;

size_t cudnnGetVersion(void) { return CUDNN_VERSION; }

const char *cudnnGetErrorString(cudnnStatus_t status) {
  return status == CUDNN_STATUS_BAD_PARAM ? "CUDNN_STATUS_BAD_PARAM"
         : status == CUDNN_STATUS_NOT_INITIALIZED
             ? "CUDNN_STATUS_NOT_INITIALIZED"
             : "CUDNN_STATUS_UNKNOWN";
}

void cudnnGetLastErrorString(char *message, size_t max_size) {
  snprintf(message, max_size, "%s",
           last_failure ? "the stand-in was told to fail" : "");
}

static cudnnStatus_t result(cudnnStatus_t status) {
  last_failure = status != CUDNN_STATUS_SUCCESS;
  return status;
}

cudnnStatus_t cudnnCreate(cudnnHandle_t *h) {
  *h = (cudnnHandle_t)&handle;
  return result(call("cudnnCreate"));
}

cudnnStatus_t cudnnDestroy(cudnnHandle_t h) { return call("cudnnDestroy"); }

cudnnStatus_t cudnnSetStream(cudnnHandle_t h, cudaStream_t stream) {
  return result(call("cudnnSetStream"));
}

cudnnStatus_t cudnnCreateDropoutDescriptor(cudnnDropoutDescriptor_t *d) {
  *d = calloc(1, sizeof **d);
  return result(call("cudnnCreateDropoutDescriptor"));
}

cudnnStatus_t cudnnDestroyDropoutDescriptor(cudnnDropoutDescriptor_t d) {
  free(d);
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetDropoutDescriptor(cudnnDropoutDescriptor_t d,
                                        cudnnHandle_t h, float dropout,
                                        void *states, size_t bytes,
                                        unsigned long long seed) {
  d->rate = dropout;
  printf("fake cudnn: dropout %g, %zu bytes of states\n", dropout, bytes);
  return result(call("cudnnSetDropoutDescriptor"));
}

cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t *d) {
  *d = calloc(1, sizeof **d);
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t d) {
  free(d);
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetTensorNdDescriptor(cudnnTensorDescriptor_t d,
                                         cudnnDataType_t type, int dims,
                                         const int size[], const int stride[]) {
  printf("fake cudnn: tensor %d x %d x %d, strides %d %d %d\n", size[0],
         size[1], size[2], stride[0], stride[1], stride[2]);
  d->dims = dims;
  memcpy(d->size, size, sizeof(int) * dims);
  memcpy(d->stride, stride, sizeof(int) * dims);
  return result(call("cudnnSetTensorNdDescriptor"));
}

cudnnStatus_t cudnnGetTensorNdDescriptor(const cudnnTensorDescriptor_t d,
                                         int requested, cudnnDataType_t *type,
                                         int *dims, int size[], int stride[]) {
  *type = CUDNN_DATA_FLOAT;
  *dims = d->dims;
  memcpy(size, d->size, sizeof(int) * requested);
  memcpy(stride, d->stride, sizeof(int) * requested);
  return CUDNN_STATUS_SUCCESS;
}

/* y = α·x + β·y over rank-3 tensors of the same sizes, any strides. */
cudnnStatus_t cudnnTransformTensor(cudnnHandle_t h, const void *alpha,
                                   const cudnnTensorDescriptor_t xd,
                                   const void *x, const void *beta,
                                   const cudnnTensorDescriptor_t yd, void *y) {
  cudnnStatus_t status = call("cudnnTransformTensor");
  if (status || xd->dims != 3 || yd->dims != 3 ||
      memcmp(xd->size, yd->size, sizeof(int) * 3))
    return result(status ? status : CUDNN_STATUS_BAD_PARAM);
  float a = *(const float *)alpha, b = *(const float *)beta;
  for (int i = 0; i < xd->size[0]; ++i)
    for (int j = 0; j < xd->size[1]; ++j)
      for (int k = 0; k < xd->size[2]; ++k) {
        float *to = (float *)y + i * yd->stride[0] + j * yd->stride[1] +
                    k * yd->stride[2];
        *to = a * ((const float *)x)[i * xd->stride[0] + j * xd->stride[1] +
                                     k * xd->stride[2]] +
              (b ? b * *to : 0.0f);
      }
  return result(CUDNN_STATUS_SUCCESS);
}

cudnnStatus_t cudnnCreateRNNDescriptor(cudnnRNNDescriptor_t *d) {
  *d = calloc(1, sizeof **d);
  return result(call("cudnnCreateRNNDescriptor"));
}

cudnnStatus_t cudnnDestroyRNNDescriptor(cudnnRNNDescriptor_t d) {
  free(d);
  return call("cudnnDestroyRNNDescriptor");
}

cudnnStatus_t cudnnSetRNNDescriptor_v8(
    cudnnRNNDescriptor_t d, cudnnRNNAlgo_t algo, cudnnRNNMode_t mode,
    cudnnRNNBiasMode_t bias, cudnnDirectionMode_t direction,
    cudnnRNNInputMode_t input, cudnnDataType_t data, cudnnDataType_t precision,
    cudnnMathType_t math, int32_t features, int32_t units, int32_t projection,
    int32_t layers, cudnnDropoutDescriptor_t dropout, uint32_t flags) {
  printf("fake cudnn: rnn algo %d, mode %d, bias %d, direction %d, input %d, "
         "data %d, precision %d, math %d, %d features, %d units, projection "
         "%d, %d layers, flags %u\n",
         algo, mode, bias, direction, input, data, precision, math, features,
         units, projection, layers, flags);
  d->features = features;
  d->units = units;
  bool supported = mode == CUDNN_GRU && bias == CUDNN_RNN_DOUBLE_BIAS &&
                   direction == CUDNN_UNIDIRECTIONAL && layers == 1 &&
                   projection == units && dropout;
  cudnnStatus_t status = call("cudnnSetRNNDescriptor_v8");
  return result(supported ? status : CUDNN_STATUS_BAD_PARAM);
}

cudnnStatus_t cudnnBuildRNNDynamic(cudnnHandle_t h, cudnnRNNDescriptor_t d,
                                   int batch) {
  printf("fake cudnn: dynamic plan for %d rows\n", batch);
  return result(call("cudnnBuildRNNDynamic"));
}

cudnnStatus_t cudnnCreateRNNDataDescriptor(cudnnRNNDataDescriptor_t *d) {
  *d = calloc(1, sizeof **d);
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnDestroyRNNDataDescriptor(cudnnRNNDataDescriptor_t d) {
  free(d);
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetRNNDataDescriptor(cudnnRNNDataDescriptor_t d,
                                        cudnnDataType_t type,
                                        cudnnRNNDataLayout_t layout, int steps,
                                        int batch, int width,
                                        const int lengths[], void *fill) {
  printf("fake cudnn: data layout %d, %d steps, %d rows of %d, lengths", layout,
         steps, batch, width);
  for (int b = 0; b < batch; ++b)
    printf(" %d", lengths[b]);
  printf("\n");
  if (batch > 64 || layout != CUDNN_RNN_DATA_LAYOUT_BATCH_MAJOR_UNPACKED)
    return result(CUDNN_STATUS_NOT_SUPPORTED);
  for (int b = 0; b < batch; ++b)
    if (lengths[b] < 1 || lengths[b] > steps)
      return result(CUDNN_STATUS_BAD_PARAM);
  d->steps = steps;
  d->batch = batch;
  d->width = width;
  memcpy(d->lengths, lengths, sizeof(int) * batch);
  d->fill = *(float *)fill;
  return result(call("cudnnSetRNNDataDescriptor"));
}

/* The weight space: biases first, then the matrices from the last linear
 * layer to the first, each followed by a gap. */
enum { GAP = 3 };
static size_t matrix_elements(cudnnRNNDescriptor_t d, int id) {
  return (size_t)d->units * (id < 3 ? d->features : d->units);
}
static size_t bias_offset(cudnnRNNDescriptor_t d, int id) {
  return (size_t)id * (d->units + GAP);
}
static size_t matrix_offset(cudnnRNNDescriptor_t d, int id) {
  size_t offset = bias_offset(d, 6);
  for (int later = 5; later > id; --later)
    offset += matrix_elements(d, later) + GAP;
  return offset;
}

cudnnStatus_t cudnnGetRNNWeightSpaceSize(cudnnHandle_t h,
                                         cudnnRNNDescriptor_t d,
                                         size_t *bytes) {
  *bytes = sizeof(float) * (matrix_offset(d, 0) + matrix_elements(d, 0));
  return result(call("cudnnGetRNNWeightSpaceSize"));
}

static void describe(cudnnTensorDescriptor_t t, int rows, int columns) {
  t->dims = 3;
  int size[3] = {1, rows, columns}, stride[3] = {rows * columns, columns, 1};
  memcpy(t->size, size, sizeof size);
  memcpy(t->stride, stride, sizeof stride);
}

cudnnStatus_t cudnnGetRNNWeightParams(cudnnHandle_t h, cudnnRNNDescriptor_t d,
                                      int32_t pseudo_layer, size_t bytes,
                                      const void *space, int32_t id,
                                      cudnnTensorDescriptor_t m, void **matrix,
                                      cudnnTensorDescriptor_t b, void **bias) {
  if (pseudo_layer != 0 || id < 0 || id > 5)
    return result(CUDNN_STATUS_BAD_PARAM);
  describe(m, d->units, id < 3 ? d->features : d->units);
  describe(b, d->units, 1);
  /* cuDNN's signature takes the space as const and gives it back not. */
  float *base = (float *)(uintptr_t)space;
  *matrix = base + matrix_offset(d, id);
  *bias = base + bias_offset(d, id);
  return result(call("cudnnGetRNNWeightParams"));
}

cudnnStatus_t cudnnGetRNNTempSpaceSizes(cudnnHandle_t h, cudnnRNNDescriptor_t d,
                                        cudnnForwardMode_t mode,
                                        cudnnRNNDataDescriptor_t x,
                                        size_t *work, size_t *reserve) {
  *work = sizeof(float) * 3 * d->units; /* one row's gates */
  *reserve = mode == CUDNN_FWD_MODE_INFERENCE ? 0 : 1024;
  return result(call("cudnnGetRNNTempSpaceSizes"));
}

static float sigmoid(float v) { return 1.0f / (1.0f + expf(-v)); }

/* W·v + b of linear layer `id` for unit u. */
static float affine(cudnnRNNDescriptor_t d, const float *space, int id, int u,
                    const float *v) {
  int width = id < 3 ? d->features : d->units;
  const float *row = space + matrix_offset(d, id) + (size_t)u * width;
  float sum = space[bias_offset(d, id) + u];
  for (int k = 0; k < width; ++k)
    sum += row[k] * v[k];
  return sum;
}

cudnnStatus_t cudnnRNNForward(cudnnHandle_t h, cudnnRNNDescriptor_t d,
                              cudnnForwardMode_t mode, const int32_t lengths[],
                              cudnnRNNDataDescriptor_t xd, const void *x,
                              cudnnRNNDataDescriptor_t yd, void *y,
                              cudnnTensorDescriptor_t hd, const void *hx,
                              void *hy, cudnnTensorDescriptor_t cd,
                              const void *cx, void *cy, size_t weight_bytes,
                              const void *weights, size_t work_bytes,
                              void *work, size_t reserve_bytes, void *reserve) {
  printf("fake cudnn: forward mode %d, initial state %s, device lengths", mode,
         hx ? "given" : "zero");
  for (int b = 0; b < xd->batch; ++b)
    printf(" %d", lengths[b]);
  printf("\n");
  cudnnStatus_t status = call("cudnnRNNForward");
  int U = d->units, F = d->features;
  if (status || !work || work_bytes < sizeof(float) * 3 * U || cx || cy ||
      xd->width != F || yd->width != U)
    return result(status ? status : CUDNN_STATUS_BAD_PARAM);
  float *gates = work;
  for (int b = 0; b < xd->batch; ++b) {
    float *state = (float *)hy + (size_t)b * U;
    for (int u = 0; u < U; ++u)
      state[u] = hx ? ((const float *)hx)[(size_t)b * U + u] : 0.0f;
    for (int t = 0; t < xd->steps; ++t) {
      float *out = (float *)y + ((size_t)b * xd->steps + t) * U;
      if (t >= lengths[b]) {
        for (int u = 0; u < U; ++u)
          out[u] = yd->fill;
        continue;
      }
      const float *in = (const float *)x + ((size_t)b * xd->steps + t) * F;
      for (int u = 0; u < U; ++u) {
        float r = sigmoid(affine(d, weights, 0, u, in) +
                          affine(d, weights, 3, u, state));
        float z = sigmoid(affine(d, weights, 1, u, in) +
                          affine(d, weights, 4, u, state));
        float n = tanhf(affine(d, weights, 2, u, in) +
                        r * affine(d, weights, 5, u, state));
        gates[u] = (1.0f - z) * n + z * state[u];
      }
      memcpy(state, gates, sizeof(float) * U);
      memcpy(out, gates, sizeof(float) * U);
    }
  }
  return result(CUDNN_STATUS_SUCCESS);
}

/* fake_cuda.c - a stand-in for the CUDA driver (libcuda.so.1) in tests of
 * the runtime's device layer on machines without a GPU. Memory is host
 * memory; each call prints one line ("fake cuda: ..."); the one kernel that
 * runs, "fill", sets `count` floats at `out` to `value` (its three
 * parameters); launches of any other function are recorded only.
 * FAKE_CUDA_DEVICES sets the device count (default 1), FAKE_CUDA_FAIL the
 * name of a function that fails with CUDA_ERROR_OUT_OF_MEMORY (only its
 * first call with FAKE_CUDA_FAIL_ONCE); a launch of more blocks than
 * FAKE_CUDA_RESIDENT_BLOCKS fails as one that cannot be resident at once
 * where it is cooperative.
 * Work on a stream that cuStreamCreate did not give is said to be on the
 * caller's stream. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
enum { OUT_OF_MEMORY = 2, COOPERATIVE_LAUNCH_TOO_LARGE = 720 };

static int fill_kernel, other_kernel;
static int context;
static int own_stream; /* the one that cuStreamCreate gives */

static CUresult call(const char *name) {
  static int failures;
  printf("fake cuda: %s\n", name);
  fflush(stdout);
  const char *fail = getenv("FAKE_CUDA_FAIL");
  if (!fail || strcmp(fail, name) ||
      (getenv("FAKE_CUDA_FAIL_ONCE") && failures))
    return 0;
  ++failures;
  return OUT_OF_MEMORY;
}

static void say_stream(const void *s) {
  if (s != &own_stream)
    printf("fake cuda: on the caller's stream %p\n", s);
}

CUresult cuInit(unsigned flags) { return call("cuInit"); }

CUresult cuGetErrorString(CUresult error, const char **name) {
  *name = error == OUT_OF_MEMORY ? "CUDA_ERROR_OUT_OF_MEMORY"
          : error == COOPERATIVE_LAUNCH_TOO_LARGE
              ? "CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE"
              : "CUDA_ERROR_UNKNOWN";
  return 0;
}

CUresult cuDeviceGetCount(int *count) {
  const char *devices = getenv("FAKE_CUDA_DEVICES");
  *count = devices ? atoi(devices) : 1;
  return call("cuDeviceGetCount");
}

CUresult cuDeviceGet(int *device, int ordinal) {
  *device = ordinal;
  return call("cuDeviceGet");
}

CUresult cuDevicePrimaryCtxRetain(void **ctx, int device) {
  *ctx = &context;
  return call("cuDevicePrimaryCtxRetain");
}

CUresult cuCtxSetCurrent(void *ctx) { return call("cuCtxSetCurrent"); }

CUresult cuModuleLoadData(void **module, const void *image) {
  uint32_t magic;
  memcpy(&magic, image, sizeof magic);
  if (magic == 0xBA55ED50u) /* a fatbin, as gru-to-nvvm embeds them */
    printf("fake cuda: module image fatbin\n");
  else
    printf("fake cuda: module image '%s'\n", (const char *)image);
  *module = &context;
  return call("cuModuleLoadData");
}

CUresult cuModuleUnload(void *module) { return call("cuModuleUnload"); }

CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  printf("fake cuda: function '%s'\n", name);
  CUresult result = call("cuModuleGetFunction");
  if (result)
    return result;
  *function = strcmp(name, "fill") ? (void *)&other_kernel : &fill_kernel;
  return 0;
}

CUresult cuFuncSetAttribute(void *function, int attribute, int value) {
  printf("fake cuda: attribute %d = %d\n", attribute, value);
  return call("cuFuncSetAttribute");
}

/* The kernels launched so far, for tests that tell results that the
 * stand-in computed from those it could not. */
static int launches;
int fake_cuda_launches(void) { return launches; }

/* A launch of `name`: recorded, and "fill" run. */
static CUresult launch(const char *name, void *function, unsigned gx,
                       unsigned gy, unsigned gz, unsigned bx, unsigned by,
                       unsigned bz, unsigned shared, void *stream,
                       void **params, int refused) {
  ++launches;
  say_stream(stream);
  printf("fake cuda: launch grid %ux%ux%u block %ux%ux%u shared %u\n", gx, gy,
         gz, bx, by, bz, shared);
  CUresult result = call(name);
  if (!result && refused)
    result = COOPERATIVE_LAUNCH_TOO_LARGE;
  if (result || function != &fill_kernel)
    return result;
  float *out = *(float **)params[0];
  float value = *(float *)params[1];
  int64_t count = *(int64_t *)params[2];
  for (int64_t i = 0; i < count; ++i)
    out[i] = value;
  return 0;
}

CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned shared,
                        void *stream, void **params, void **extra) {
  return launch("cuLaunchKernel", function, gx, gy, gz, bx, by, bz, shared,
                stream, params, 0);
}

CUresult cuLaunchCooperativeKernel(void *function, unsigned gx, unsigned gy,
                                   unsigned gz, unsigned bx, unsigned by,
                                   unsigned bz, unsigned shared, void *stream,
                                   void **params) {
  const char *resident = getenv("FAKE_CUDA_RESIDENT_BLOCKS");
  return launch("cuLaunchCooperativeKernel", function, gx, gy, gz, bx, by, bz,
                shared, stream, params,
                resident && (long)gx * gy * gz > atol(resident));
}

/* cuLaunchKernelEx's configuration with a cluster dimension attribute
 * (id 4), as cuda.h lays it out. */
typedef struct {
  int id;
  char pad[4];
  union {
    char pad[64];
    unsigned cluster[3];
  } value;
} launch_attribute;
typedef struct {
  unsigned grid[3], block[3], shared;
  void *stream;
  launch_attribute *attributes;
  unsigned attribute_count;
} launch_config;

CUresult cuLaunchKernelEx(const launch_config *config, void *function,
                          void **params, void **extra) {
  ++launches;
  say_stream(config->stream);
  printf("fake cuda: launch grid %ux%ux%u block %ux%ux%u shared %u",
         config->grid[0], config->grid[1], config->grid[2], config->block[0],
         config->block[1], config->block[2], config->shared);
  for (unsigned i = 0; i < config->attribute_count; ++i)
    if (config->attributes[i].id == 4)
      printf(" cluster %ux%ux%u", config->attributes[i].value.cluster[0],
             config->attributes[i].value.cluster[1],
             config->attributes[i].value.cluster[2]);
  printf("\n");
  return call("cuLaunchKernelEx");
}

CUresult cuStreamCreate(void **created, unsigned flags) {
  *created = &own_stream;
  return call("cuStreamCreate");
}

CUresult cuStreamSynchronize(void *s) {
  say_stream(s);
  return call("cuStreamSynchronize");
}
CUresult cuStreamDestroy_v2(void *s) { return call("cuStreamDestroy_v2"); }

CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  CUresult result = call("cuMemAlloc_v2");
  if (!result)
    *pointer = (CUdeviceptr)(uintptr_t)malloc(bytes);
  return result;
}

CUresult cuMemAllocManaged(CUdeviceptr *pointer, size_t bytes, unsigned flags) {
  CUresult result = call("cuMemAllocManaged");
  if (!result)
    *pointer = (CUdeviceptr)(uintptr_t)malloc(bytes);
  return result;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
  free((void *)(uintptr_t)pointer);
  return call("cuMemFree_v2");
}

CUresult cuMemcpyAsync(CUdeviceptr destination, CUdeviceptr source,
                       size_t bytes, void *s) {
  CUresult result = call("cuMemcpyAsync");
  if (!result)
    memcpy((void *)(uintptr_t)destination, (void *)(uintptr_t)source, bytes);
  return result;
}

CUresult cuMemsetD32Async(CUdeviceptr destination, unsigned value, size_t count,
                          void *s) {
  CUresult result = call("cuMemsetD32Async");
  for (size_t i = 0; !result && i < count; ++i)
    ((uint32_t *)(uintptr_t)destination)[i] = value;
  return result;
}

/* device.h - the CUDA device layer of the runtime.
 *
 * The CUDA driver is loaded with dlopen on first use, never at load time and
 * never by linking, so that a library with GPU code loads and runs on a
 * machine without any NVIDIA software. GRU_CUDA_DRIVER in the environment
 * names the driver library to load instead of libcuda.so.1 (tests use a
 * stand-in).
 *
 * The mgpu* functions are those that MLIR 22's GPU-to-LLVM lowering calls,
 * with the signatures of its declarations. Generated host code cannot check
 * results, so a failure is recorded for the calling thread (the first one
 * counts) and later calls of the thread do nothing until the wrapper takes
 * the error with gru_rt_take_device_error. Hidden: each compiled library
 * keeps its own. */
#ifndef GRU_DEVICE_H
#define GRU_DEVICE_H

#include "gru/runtime.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* GRU_OK when a CUDA driver with at least one device is usable (device 0's
 * primary context made current); else GRU_ERR_DEVICE and `*why` says why
 * (no driver, no device, the driver's error). Loads the driver once per
 * process; thread-safe. */
GRU_RT_HIDDEN int gru_rt_cuda_probe(const char **why);

/* Whether a new instance of `function`'s library runs its CUDA code (1) or
 * its CPU code (0). GRU_DEVICE=cpu or cuda in the environment forces the
 * choice; without it, CUDA is used where the library has CUDA code
 * (`has_cuda`) and a driver with a device is usable. -1, with the reason
 * recorded for the calling thread (gru_rt_last_error(NULL)), when
 * GRU_DEVICE asks for what cannot be. */
GRU_RT_HIDDEN int gru_rt_choose_cuda(bool has_cuda, const char *function);

/* GRU_OK, or GRU_ERR_DEVICE recorded on `instance` with the message of the
 * calling thread's first device failure since the last take. */
GRU_RT_HIDDEN int gru_rt_take_device_error(gru_rt_instance *instance);

/* An instance's device resources, which its calls reuse: a stream, and the
 * device buffers of earlier calls. Between gru_rt_cuda_enter and
 * gru_rt_cuda_leave, the calling thread's mgpu* functions take them from
 * `instance` (mgpuStreamCreate gives `stream` where it is not NULL, else
 * the instance's; mgpuMemAlloc a buffer that it freed before) and give them
 * back to it (mgpuStreamDestroy and mgpuMemFree keep them);
 * gru_rt_cuda_release frees them, when the instance is destroyed. */
typedef struct gru_rt_device_resources gru_rt_device_resources;
GRU_RT_HIDDEN void gru_rt_cuda_enter(gru_rt_instance *instance, void *stream);
GRU_RT_HIDDEN void gru_rt_cuda_leave(void);
GRU_RT_HIDDEN void gru_rt_cuda_release(gru_rt_device_resources *resources);

/* The kept state of a stateful layer stays on the device, in the
 * instance's resources, for the calls of an instance on CUDA (its host slot
 * is not used). Between gru_rt_cuda_enter and gru_rt_cuda_leave:
 * gru_rt_cuda_state gives the device buffer of `slot`'s state, which the
 * call reads (zeros at first and after gru_rt_cuda_zero_states, f32
 * elements), and gru_rt_cuda_next_state the one that it writes; both are
 * null after a failure, recorded. gru_rt_cuda_commit_state, after a call
 * that succeeded, makes what it wrote the state (without a copy). */
GRU_RT_HIDDEN void *gru_rt_cuda_state(int slot, size_t bytes);
GRU_RT_HIDDEN void *gru_rt_cuda_next_state(int slot, size_t bytes);
GRU_RT_HIDDEN void gru_rt_cuda_commit_state(gru_rt_instance *instance,
                                            int slot);
GRU_RT_HIDDEN void gru_rt_cuda_zero_states(gru_rt_device_resources *resources);

/* For the cuDNN bridge (gru/cudnn.h), between gru_rt_cuda_enter and
 * gru_rt_cuda_leave: the instance; where the instance keeps the bridge's
 * plans, which `release` frees with the resources (NULL without
 * resources); whether a device call may go ahead (a usable driver, its
 * context current, no failure pending); a failure recorded for the calling
 * thread (printf-style); device memory outside the instance's kept
 * buffers (NULL after a failure). */
GRU_RT_HIDDEN gru_rt_instance *gru_rt_cuda_instance(void);
GRU_RT_HIDDEN void **gru_rt_cuda_plans(void (*release)(void *plans));
GRU_RT_HIDDEN bool gru_rt_cuda_ready(void);
GRU_RT_HIDDEN void gru_rt_cuda_fail(const char *format, ...)
    __attribute__((format(printf, 1, 2)));
GRU_RT_HIDDEN void *gru_rt_cuda_alloc(size_t bytes);
GRU_RT_HIDDEN void gru_rt_cuda_free(void *pointer);

/* The persistent kernel of a grid (gru-map-kernels-to-gpu) is launched
 * cooperatively: gru_rt_cuda_launch_cooperatively makes the calling
 * thread's next mgpuLaunchKernel cooperative (the others are plain
 * launches), and gru_rt_cuda_launch_refused, after it, says whether the
 * driver refused it because its blocks cannot all be resident at once on
 * this GPU (fewer multiprocessors or less shared memory than the kernels
 * were shaped for): then nothing ran and no failure is recorded. */
GRU_RT_HIDDEN void gru_rt_cuda_launch_cooperatively(void);
GRU_RT_HIDDEN bool gru_rt_cuda_launch_refused(void);

GRU_RT_HIDDEN void *mgpuModuleLoad(void *data, size_t size);
GRU_RT_HIDDEN void mgpuModuleUnload(void *module);
GRU_RT_HIDDEN void *mgpuModuleGetFunction(void *module, const char *name);
GRU_RT_HIDDEN void *mgpuStreamCreate(void);
GRU_RT_HIDDEN void mgpuStreamSynchronize(void *stream);
GRU_RT_HIDDEN void mgpuStreamDestroy(void *stream);
GRU_RT_HIDDEN void mgpuLaunchKernel(void *function, intptr_t grid_x,
                                    intptr_t grid_y, intptr_t grid_z,
                                    intptr_t block_x, intptr_t block_y,
                                    intptr_t block_z, int32_t shared_bytes,
                                    void *stream, void **params, void **extra,
                                    size_t param_count);
GRU_RT_HIDDEN void
mgpuLaunchClusterKernel(void *function, intptr_t cluster_x, intptr_t cluster_y,
                        intptr_t cluster_z, intptr_t grid_x, intptr_t grid_y,
                        intptr_t grid_z, intptr_t block_x, intptr_t block_y,
                        intptr_t block_z, int32_t shared_bytes, void *stream,
                        void **params, void **extra);
GRU_RT_HIDDEN void *mgpuMemAlloc(uint64_t bytes, void *stream,
                                 bool host_shared);
GRU_RT_HIDDEN void mgpuMemFree(void *pointer, void *stream);
GRU_RT_HIDDEN void mgpuMemcpy(void *destination, void *source, size_t bytes,
                              void *stream);
GRU_RT_HIDDEN void mgpuMemset32(void *destination, uint32_t value, size_t count,
                                void *stream);

#ifdef __cplusplus
}
#endif

#endif /* GRU_DEVICE_H */

//===- RuntimeAllocTest.cpp - the runtime's buffers for generated code ----===//

#include "gru/runtime.h"

#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <gtest/gtest.h>

namespace {

TEST(RuntimeAlloc, HonorsTheAlignment) {
  for (size_t alignment : {1, 8, 16, 64, 4096})
    for (size_t size : {1, 3, 100, 5000}) {
      void *pointer = _mlir_memref_to_llvm_aligned_alloc(alignment, size);
      ASSERT_NE(pointer, nullptr);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(pointer) % alignment, 0u)
          << "alignment " << alignment << ", size " << size;
      std::memset(pointer, 0xab, size);
      _mlir_memref_to_llvm_free(pointer);
    }
}

TEST(RuntimeAlloc, LargeBuffersAreWholeAndAligned) {
  size_t size = 3 * GRU_RT_HUGE_PAGE + 123;
  auto *bytes = static_cast<unsigned char *>(_mlir_memref_to_llvm_alloc(size));
  ASSERT_NE(bytes, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(bytes) % GRU_RT_HUGE_PAGE, 0u);
  std::memset(bytes, 7, size);
  EXPECT_EQ(bytes[0], 7);
  EXPECT_EQ(bytes[size - 1], 7);
  _mlir_memref_to_llvm_free(bytes);
}

// A model call allocates the same large buffers every time: a freed one is
// handed out again, never while it is still in use.
TEST(RuntimeAlloc, LargeBuffersAreKeptForTheNextCall) {
  size_t size = GRU_RT_HUGE_PAGE + 1000;
  void *first = _mlir_memref_to_llvm_alloc(size);
  ASSERT_NE(first, nullptr);
  _mlir_memref_to_llvm_free(first);
  void *again = _mlir_memref_to_llvm_alloc(size - 500);
  EXPECT_EQ(again, first);
  void *other = _mlir_memref_to_llvm_alloc(size);
  ASSERT_NE(other, nullptr);
  EXPECT_NE(other, again);
  void *larger = _mlir_memref_to_llvm_alloc(4 * GRU_RT_HUGE_PAGE);
  ASSERT_NE(larger, nullptr);
  std::memset(larger, 1, 4 * GRU_RT_HUGE_PAGE);
  _mlir_memref_to_llvm_free(again);
  _mlir_memref_to_llvm_free(other);
  _mlir_memref_to_llvm_free(larger);
}

TEST(RuntimeAlloc, ZeroBytesGiveABufferAndNullFreesNothing) {
  void *pointer = _mlir_memref_to_llvm_alloc(0);
  EXPECT_NE(pointer, nullptr);
  _mlir_memref_to_llvm_free(pointer);
  _mlir_memref_to_llvm_free(nullptr);
}

TEST(RuntimeAlloc, UnguardedFailuresReturnNull) {
  EXPECT_EQ(_mlir_memref_to_llvm_alloc(SIZE_MAX - 8), nullptr);
  EXPECT_EQ(_mlir_memref_to_llvm_aligned_alloc(64, SIZE_MAX / 2), nullptr);
}

// Within a guard, a failed allocation returns to the setjmp (as the
// wrapper's call does) and the guard is off again; the buffers it held are
// freed (the sanitized suite would report them otherwise).
int allocateUntilFailure(int *allocations) {
  jmp_buf *target = gru_rt_guard_allocations();
  if (setjmp(*target))
    return 1;
  for (int i = 0; i < 20; ++i) {
    void *kept = _mlir_memref_to_llvm_alloc(1000 + i);
    std::memset(kept, 1, 1000 + i);
    ++*allocations;
  }
  void *freed = _mlir_memref_to_llvm_alloc(3 * GRU_RT_HUGE_PAGE);
  _mlir_memref_to_llvm_free(freed);
  _mlir_memref_to_llvm_alloc(SIZE_MAX / 2);
  gru_rt_unguard_allocations();
  return 0;
}

TEST(RuntimeAlloc, GuardedFailuresReturnToTheGuard) {
  int allocations = 0;
  EXPECT_EQ(allocateUntilFailure(&allocations), 1);
  EXPECT_EQ(allocations, 20);
  EXPECT_EQ(_mlir_memref_to_llvm_alloc(SIZE_MAX - 8), nullptr)
      << "the guard ends with the failure";
}

} // namespace

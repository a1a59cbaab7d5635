#ifndef GITML_CPLATFORM_H
#define GITML_CPLATFORM_H

/// 1 when the CPU and the kernel support every instruction set of x86-64-v3 that the kernels'
/// build may use (AVX, AVX2, FMA, BMI1, BMI2, F16C, LZCNT, MOVBE, and the OS saving YMM
/// state); 0 otherwise. Always 0 on other architectures. Compiled for baseline x86-64, so it
/// is safe to call on any CPU before x86-64-v3 code runs.
int gitml_cpu_has_x86_64_v3(void);

/// The git commit this binary was built from, or "" when the build did not name one.
const char *gitml_build_commit(void);

/// Asks the CPU to bring the cache line holding `address` into cache ahead of a load the
/// code will make soon (a gather in a tree leaf's row order, which no hardware prefetcher
/// predicts). A hint only: no effect on results, and an address never loaded is harmless.
static inline void gitml_prefetch(const void *address) { __builtin_prefetch(address); }

#endif

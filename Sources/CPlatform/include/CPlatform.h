#ifndef GITML_CPLATFORM_H
#define GITML_CPLATFORM_H

/// 1 when the CPU and the kernel support every instruction set of x86-64-v3 that the kernels'
/// build may use (AVX, AVX2, FMA, BMI1, BMI2, F16C, LZCNT, MOVBE, and the OS saving YMM
/// state); 0 otherwise. Always 0 on other architectures. Compiled for baseline x86-64, so it
/// is safe to call on any CPU before x86-64-v3 code runs.
int gitml_cpu_has_x86_64_v3(void);

/// The git commit this binary was built from, or "" when the build did not name one.
const char *gitml_build_commit(void);

#endif

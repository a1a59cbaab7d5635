#include "CPlatform.h"

#if defined(__x86_64__)
#include <cpuid.h>

/// XGETBV(0): whether the OS saves the XMM and YMM registers on a context switch.
static int os_saves_ymm(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (eax & 0x6) == 0x6;
}

int gitml_cpu_has_x86_64_v3(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const unsigned int leaf1 = bit_FMA | bit_MOVBE | bit_OSXSAVE | bit_AVX | bit_F16C;
    if ((ecx & leaf1) != leaf1 || !os_saves_ymm()) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    const unsigned int leaf7 = bit_AVX2 | bit_BMI | bit_BMI2;
    if ((ebx & leaf7) != leaf7) return 0;
    if (!__get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & bit_LZCNT) != 0;
}
#else
int gitml_cpu_has_x86_64_v3(void) { return 0; }
#endif

#ifndef GITML_COMMIT
#define GITML_COMMIT ""
#endif

const char *gitml_build_commit(void) { return GITML_COMMIT; }

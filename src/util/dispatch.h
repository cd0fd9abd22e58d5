/* dispatch.h: DS_HOT marks the hot loops of training and averaging. A
 * portable build (the default, baseline x86-64) compiles each of them
 * for x86-64-v4 (AVX-512), v3 (AVX2, FMA) and the baseline, and the
 * loader picks the best the CPU has (GCC function multiversioning, an
 * ifunc per function): one binary that runs on any x86-64 CPU at about
 * the speed of a -march=native build. The build is ISO C (-std=c17), so
 * floating-point contraction is off and every variant computes the same
 * bits. With -DDIVSHARE_NATIVE=ON, or another compiler or CPU family,
 * DS_HOT is nothing. */
#ifndef DS_DISPATCH_H
#define DS_DISPATCH_H

#if defined(DS_DISPATCH) && defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define DS_HOT __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define DS_HOT
#endif

#endif

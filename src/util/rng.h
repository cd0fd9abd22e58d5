/* rng.h: explicit-state pseudo random numbers (xoshiro256**).
 *
 * Every consumer owns its rng state, so many nodes in one process draw
 * independent, reproducible streams. Seeding goes through splitmix64, so
 * any 64-bit seed (including 0) gives a well-mixed state; rng_derive makes
 * a child stream from a parent seed and a label (node id, round, ...). */
#ifndef DS_RNG_H
#define DS_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct rng {
    uint64_t s[4];
} rng;

void rng_seed(rng *r, uint64_t seed);
/* A seed for an independent stream labelled `a`, `b` under `seed`. */
uint64_t rng_derive(uint64_t seed, uint64_t a, uint64_t b);
uint64_t rng_u64(rng *r);
/* Uniform integer in [0, n) without modulo bias; n > 0. */
uint64_t rng_below(rng *r, uint64_t n);
/* Uniform double in [0, 1) with 53 random bits. */
double rng_uniform(rng *r);
/* Uniform float in [lo, hi). */
float rng_uniform_f(rng *r, float lo, float hi);
/* Standard normal (Box-Muller, no cached second value so the state alone
 * defines the stream). */
double rng_normal(rng *r);
/* Gamma(shape, 1) by Marsaglia-Tsang; shape > 0. */
double rng_gamma(rng *r, double shape);
/* Fisher-Yates shuffle of n uint32 values in place. */
void rng_shuffle_u32(rng *r, uint32_t *v, size_t n);

#endif

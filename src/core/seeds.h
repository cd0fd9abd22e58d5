/* seeds.h: uses of the experiment seed shared by both runtimes, so that
 * node K of a real run starts like node K of a simulation. Each is an
 * index into rng_derive(seed, use, index). */
#ifndef DS_CORE_SEEDS_H
#define DS_CORE_SEEDS_H

#define SEED_EVAL_SAMPLE 0xe7a1  /* which nodes are evaluated */
#define SEED_INIT_MODEL 0x1417   /* the initial model, the same on all nodes */
#define SEED_NODE_BATCHES 0xba7c /* node K's batch order (index K) */
#define SEED_QUADRATIC 0x9ad2    /* the synthetic learner's node objectives */

#endif

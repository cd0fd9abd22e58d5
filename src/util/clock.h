/* clock.h: monotonic wall-clock seconds, for progress and benchmarks. */
#ifndef DS_CLOCK_H
#define DS_CLOCK_H
double clock_now(void);
#endif

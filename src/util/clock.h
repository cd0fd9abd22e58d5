/* clock.h: monotonic wall-clock seconds, for progress, benchmarks and the
 * real runtime's pacing. */
#ifndef DS_CLOCK_H
#define DS_CLOCK_H
double clock_now(void);
/* Sleeps about `seconds` (nothing if <= 0), resuming after signals. */
void clock_sleep(double seconds);
#endif

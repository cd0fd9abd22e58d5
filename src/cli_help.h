/* cli_help.h: usage texts of the divshare command line. */
#ifndef DS_CLI_HELP_H
#define DS_CLI_HELP_H

#include "divshare.h"

#define DIVSHARE_STR2(x) #x
#define DIVSHARE_STR(x) DIVSHARE_STR2(x)
#define DIVSHARE_VERSION DIVSHARE_STR(DS_VERSION_MAJOR) "." DIVSHARE_STR(DS_VERSION_MINOR) "." DIVSHARE_STR(DS_VERSION_PATCH)

extern const char *const MAIN_HELP;
extern const char *const TRAIN_HELP;
extern const char *const RUN_HELP;
extern const char *const LAUNCH_HELP;
extern const char *const NODE_HELP;
extern const char *const AGREE_HELP;
extern const char *const KEYGEN_HELP;
extern const char *const COLLECT_HELP;
extern const char *const COMPARE_HELP;
extern const char *const PLOT_HELP;
extern const char *const CHECK_HELP;
extern const char *const PARTITION_HELP;

#endif

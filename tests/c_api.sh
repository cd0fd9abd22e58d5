#!/bin/sh
# The public library as a user gets it: `cmake --install` into a temporary
# prefix, then examples/c-api/own_learner.c built against the installed
# files, with pkg-config and with find_package(divshare), and run.
# usage: c_api.sh BUILD_DIR SOURCE_DIR
build=$1
src=$2
. "$(dirname "$0")/lib.sh"
cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 && ok || bad "install: $(tail -3 "$tmp/install.log")"
lib=$(ls -d "$tmp"/prefix/lib* | head -1)
[ -f "$tmp/prefix/include/divshare.h" ] && ls "$lib"/libdivshare.so.0 "$lib"/libdivshare.a >/dev/null && ok ||
  bad "installed files: $(find "$tmp/prefix" -type f)"
# Only the API is exported.
others=$(nm -D --defined-only "$lib/libdivshare.so" | awk '$2 == "T" && $3 !~ /^ds_/' | wc -l)
[ "$others" = 0 ] && ok || bad "libdivshare.so exports $others symbols outside ds_"
# pkg-config
export PKG_CONFIG_PATH="$lib/pkgconfig"
flags=$(pkg-config --cflags --libs divshare) && ok || bad "pkg-config divshare"
# shellcheck disable=SC2086
cc -std=c17 -Wall -Wextra -Werror -Wno-unused-parameter "$src/examples/c-api/own_learner.c" $flags -lm \
  -Wl,-rpath,"$lib" -o "$tmp/own_learner" 2>"$tmp/cc.log" && ok || bad "cc with pkg-config: $(cat "$tmp/cc.log")"
"$tmp/own_learner" "$src/examples/fmnist-stragglers.ini" "$tmp/out" >"$tmp/run.log" 2>&1 && ok || bad "run: $(cat "$tmp/run.log")"
[ "$(grep -c 'rmse' "$tmp/run.log")" = 9 ] && [ -f "$tmp/out/divshare/metrics.csv" ] && [ -f "$tmp/out/swift/summary.json" ] && ok ||
  bad "own_learner output: $(cat "$tmp/run.log")"
# The CMake package.
cmake -S "$src/examples/c-api" -B "$tmp/cmake-build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >"$tmp/cmake.log" 2>&1 &&
  cmake --build "$tmp/cmake-build" >>"$tmp/cmake.log" 2>&1 && ok || bad "find_package(divshare): $(tail -5 "$tmp/cmake.log")"
LD_LIBRARY_PATH="$lib" "$tmp/cmake-build/own_learner" "$src/examples/fmnist-stragglers.ini" "$tmp/out2" >"$tmp/run2.log" 2>&1 &&
  cmp -s "$tmp/out/divshare/metrics.csv" "$tmp/out2/divshare/metrics.csv" && ok || bad "the CMake-built example differs: $(cat "$tmp/run2.log")"
# The Python package installed beside the library finds it there.
v=$(env -u DIVSHARE_LIBRARY PYTHONPATH="$lib/python3/dist-packages" /usr/bin/python3 -c 'import divshare; print(divshare.__version__)' 2>&1)
[ "$v" = "$(sed -n 's/^#define DS_VERSION_MAJOR \([0-9]*\)$/\1/p' "$src/include/divshare.h").$(sed -n 's/^#define DS_VERSION_MINOR \([0-9]*\)$/\1/p' "$src/include/divshare.h").$(sed -n 's/^#define DS_VERSION_PATCH \([0-9]*\)$/\1/p' "$src/include/divshare.h")" ] && ok ||
  bad "import divshare from the installed prefix: $v"
finish c_api

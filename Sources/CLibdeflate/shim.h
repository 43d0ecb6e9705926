#ifndef CLIBDEFLATE_SHIM_H
#define CLIBDEFLATE_SHIM_H

// Debian's libdeflate-dev: whole-buffer DEFLATE, zlib and gzip compression, faster than zlib at every level.
#include <libdeflate.h>

#endif

#include "build_revision.h"

// Package.swift defines USAGE_EXPORTER_REVISION for this file only (scripts/package sets it).
#ifndef USAGE_EXPORTER_REVISION
#define USAGE_EXPORTER_REVISION "unknown"
#endif

const char *usage_exporter_build_revision(void) {
    return USAGE_EXPORTER_REVISION;
}

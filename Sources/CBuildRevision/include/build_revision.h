#ifndef USAGE_EXPORTER_BUILD_REVISION_H
#define USAGE_EXPORTER_BUILD_REVISION_H

/// The git revision the binary was built from (USAGE_EXPORTER_REVISION at build time), or "unknown".
const char *usage_exporter_build_revision(void);

#endif

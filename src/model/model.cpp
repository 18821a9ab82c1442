// Model value types are header-only; this unit anchors the vfo_model library.
#include "vfo/model/cluster_snapshot.hpp"
#include "vfo/model/status.hpp"
#include "vfo/model/topology.hpp"

#pragma once
// Memory the model needs, estimated from the scenario alone, so that a run that cannot fit is
// refused before anything is allocated (issue 8). Mirrors the state in core/simulation.cpp.
#include <cstdint>

#include "core/scenario.hpp"

namespace civsim {

// The network once built (CSR: offsets and follower lists), in bytes.
std::uint64_t estimate_network_resident_bytes(const Scenario& sc);
// The simulation state of one run on top of the network: per-citizen arrays and bitmaps, the
// exposures scheduled while posts are visible, and the per-post counters of threshold rules.
std::uint64_t estimate_model_bytes(const Scenario& sc);

}  // namespace civsim

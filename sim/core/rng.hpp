#pragma once
// Counter-based random numbers: every draw is a pure function of its identity.
//
// A draw is identified by (master seed, replicate, purpose, step, agent, k). The identity is fed
// to Random123's Philox4x64-10 as key = {seed, replicate << 32 | purpose} and
// counter = {step, agent, k, 0}; the four 64-bit outputs are independent uniform words. No state
// is carried between draws, so results cannot depend on thread count, rank count or the order in
// which agents are visited, and two strategy arms that make "the same" draw get the same number
// (common random numbers).
#include <Random123/philox.h>

#include <array>
#include <cstdint>

namespace civsim {

// Why a number is drawn. Values are part of the output format's reproducibility contract:
// never renumber an existing purpose, only append.
enum class Purpose : std::uint32_t {
  network_weight = 1,       // a citizen's follower-attractiveness weight
  network_followees = 2,    // a citizen's number of followees
  network_target = 3,       // which accounts a citizen follows
  government_follow = 4,    // retired (0.1.0: Bernoulli follows of the one government account)
  reshare = 5,              // whether an exposed citizen reshares a post
  account_follow = 6,       // a citizen's key for following institutional account k
  network_follow_back = 7,  // whether v follows back u (agent u, k v)
  // 8-19: the government-citizen model (core/simulation.cpp; docs/model.md#randomness).
  citizen_trust = 8,       // initial trust (agent u; k: gamma attempts)
  citizen_concern = 9,     // initial concern (agent u; k: gamma attempts)
  citizen_activity = 10,   // sessions per day (agent u)
  exposure = 11,           // feed filter, time seen, like, comment (step post, agent u, k source)
  reaction = 12,           // reshare, follow, unfollow, rumour/correction outcome (same identity)
  threshold = 13,          // linear-threshold theta of a citizen for a post (step post, agent u)
  question = 14,           // next threshold, account, patience (step asked, agent asker)
  answer = 15,             // privacy redirect, complaint (step ask step, agent asker)
  rumour_seed = 16,        // which citizens seed a rumour (step, agent = event index, k attempt)
  rumour_transition = 17,  // hoax: verification and forgetting (step, agent u)
  rumour_contact = 18,     // Maki-Thompson / Daley-Kendall: contact and target (step, agent u)
  // 20-29: network statistics (core/network_stats.cpp).
  stats_clustering_sample = 20,  // which nodes the clustering coefficient is averaged over
  stats_path_source = 21,        // which nodes the path-length searches start from
  // 30-49: the classic network generators (core/generators_classic.hpp).
  er_gap = 30,         // Erdos-Renyi: gaps between a citizen's followees (agent = citizen)
  ws_rewire = 31,      // Watts-Strogatz: whether and where a lattice follow is rewired
  price_choice = 32,   // Price: which earlier citizens an arriving citizen follows
  rmat_quadrant = 33,  // R-MAT: the quadrant choices of one edge attempt (agent = attempt)
  // 60-69: parameter sweeps (core/design.hpp, core/sobol_indices.hpp); seed = the master seed.
  design_lhs = 60,       // Latin hypercube: strata permutation and offsets (step factor, agent i)
  sobol_bootstrap = 61,  // bootstrap resamples of Sobol' indices (step resample, agent draw)
};

struct DrawId {
  std::uint64_t seed = 0;
  std::uint32_t replicate = 0;
  Purpose purpose = Purpose::network_weight;
  std::uint64_t step = 0;
  std::uint64_t agent = 0;
  std::uint64_t k = 0;
};

// Four independent uniform 64-bit words for one identity. Always inlined: it is in the
// innermost loops (one call per exposure in delivery), and inlined the rounds of consecutive
// draws overlap and the words stay in registers instead of returning through memory.
[[gnu::always_inline]] inline std::array<std::uint64_t, 4> random_words(const DrawId& id) {
  using Philox = r123::Philox4x64;
  const Philox::key_type key = {
      {id.seed, (std::uint64_t{id.replicate} << 32) | static_cast<std::uint32_t>(id.purpose)}};
  const Philox::ctr_type ctr = {{id.step, id.agent, id.k, 0}};
  const Philox::ctr_type out = Philox{}(ctr, key);
  return {out[0], out[1], out[2], out[3]};
}

// Uniform double in [0, 1) from the top 53 bits of a word.
inline double to_unit(std::uint64_t word) {
  return static_cast<double>(word >> 11) * 0x1.0p-53;
}

// Uniform double in (0, 1], safe for log().
inline double to_unit_open0(std::uint64_t word) {
  return (static_cast<double>(word >> 11) + 1.0) * 0x1.0p-53;
}

// Uniform integer in [0, n) by Lemire's multiply-shift (bias below 2^-64 * n, negligible).
__extension__ using uint128 = unsigned __int128;
inline std::uint64_t to_index(std::uint64_t word, std::uint64_t n) {
  return static_cast<std::uint64_t>((static_cast<uint128>(word) * n) >> 64);
}

inline double uniform(const DrawId& id) {
  return to_unit(random_words(id)[0]);
}

inline bool bernoulli(const DrawId& id, double p) {
  return uniform(id) < p;
}

}  // namespace civsim

#pragma once
// The fully resolved scenario: plain data, every field with its default. Parsing and validation
// live in the I/O library (io/config.hpp); the core only reads these structs.
#include <cstdint>
#include <string>
#include <vector>

namespace civsim {

enum class Strategy { broadcast, reactive, dialogue };
enum class NetworkGenerator { power_law, erdos_renyi, watts_strogatz, price, rmat, edge_list };
enum class DiffusionModel { independent_cascade };
enum class AccountKind { government, media, influencer };
enum class EdgeFileFormat { text, hdf5 };
enum class EdgeDirection { src_follows_dst, dst_follows_src };

struct Region {
  std::string name = "all";
  double share = 1.0;  // of the population; citizens get regions in contiguous id blocks
};

struct NetworkParams {
  NetworkGenerator generator = NetworkGenerator::power_law;
  double mean_followees = 30.0;      // mean out-degree among citizens (synthetic generators)
  double follower_exponent = 2.2;    // power_law: exponent of the follower (in-degree) tail
  double max_follower_share = 0.05;  // power_law: cap on a citizen's expected followers, share of N
  double reciprocity = 0.0;          // power_law: share of follow edges that are mutual
  double homophily = -1.0;           // power_law: share of follows inside one's region; < 0: none
  double rewiring = 0.1;             // watts_strogatz: probability to rewire a lattice follow
  double attachment_offset = 1.0;    // price: a in P(follow v) ~ followers(v) + a
  double rmat_a = 0.57, rmat_b = 0.19, rmat_c = 0.19;  // rmat quadrant probabilities (d = rest)
  std::string file;  // edge_list: path, relative to the scenario file
  EdgeFileFormat format = EdgeFileFormat::text;
  EdgeDirection direction = EdgeDirection::src_follows_dst;
};

// An institutional account: a node after all citizens, followed by a set number of citizens.
struct AccountParams {
  std::string name = "government";
  AccountKind kind = AccountKind::government;
  double follower_share = -1.0;  // share of citizens following it; < 0: unset
  std::int64_t followers = -1;   // absolute number of followers; < 0: unset
  std::string region;            // region its followers concentrate in ("": none)
  double region_bias = -1.0;     // share of its followers inside `region`; < 0: proportional
  std::string id;                // edge_list: the account's id in the file
  double posts_per_day = 4.0;    // government accounts post on a schedule
  Strategy strategy = Strategy::broadcast;

  // The follower count this account gets among n citizens (share or absolute; default 30%).
  std::int64_t follower_target(std::int64_t n) const;
};

struct DiffusionParams {
  DiffusionModel model = DiffusionModel::independent_cascade;
  double reshare_probability = 0.01;  // per (exposing account, exposed follower) pair and post
};

struct TimeParams {
  double step_hours = 1.0;
  double duration_hours = 14.0 * 24.0;
};

struct Scenario {
  std::string name = "unnamed";
  std::uint64_t seed = 1;
  std::int64_t population = 100000;
  std::vector<Region> regions{Region{}};
  NetworkParams network;
  std::vector<AccountParams> accounts{AccountParams{}};
  DiffusionParams diffusion;
  TimeParams time;

  std::int64_t steps() const;
  // Citizens per region, in region order, summing to population (largest remainders).
  std::vector<std::int64_t> region_sizes() const;
};

}  // namespace civsim

#pragma once
// The fully resolved scenario: plain data, every field with its default. Parsing and validation
// live in the I/O library (io/config.hpp); the core only reads these structs.
#include <cstdint>
#include <string>

namespace civsim {

enum class Strategy { broadcast, reactive, dialogue };
enum class NetworkGenerator { power_law };
enum class DiffusionModel { independent_cascade };

struct NetworkParams {
  NetworkGenerator generator = NetworkGenerator::power_law;
  double follower_exponent = 2.2;    // power-law exponent of the follower (in-degree) tail
  double mean_followees = 30.0;      // mean out-degree among citizens
  double max_follower_share = 0.05;  // cap on any citizen's expected followers, share of N
};

struct GovernmentParams {
  std::string name = "government";
  double follower_share = 0.3;  // probability that a citizen follows the account
  double posts_per_day = 4.0;
  Strategy strategy = Strategy::broadcast;
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
  NetworkParams network;
  GovernmentParams government;
  DiffusionParams diffusion;
  TimeParams time;

  std::int64_t steps() const;
};

}  // namespace civsim

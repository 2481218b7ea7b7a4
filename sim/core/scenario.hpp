#pragma once
// The fully resolved scenario: plain data, every field with its default. Parsing and validation
// live in the I/O library (io/config.hpp); the core only reads these structs. docs/model.md
// explains what each parameter does in the model.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace civsim {

enum class Strategy { broadcast, reactive, dialogue };
enum class NetworkGenerator { power_law, erdos_renyi, watts_strogatz, price, rmat, edge_list };
// How citizens decide to reshare a post they see (model.md §4.1).
enum class DiffusionModel {
  independent_cascade,   // each (sharer, follower) exposure: reshare with the post type's p
  weighted_cascade,      // as IC with p = 1 / (number of accounts the follower follows)
  linear_threshold,      // reshare once the shares seen reach theta_u * followees, theta_u ~ U(0,1)
  fractional_threshold,  // reshare once the shares seen reach `threshold` * followees
  complex_contagion,     // reshare once `contagion_k` distinct followees' shares were seen
};
enum class AccountKind { government, media, influencer };
enum class EdgeFileFormat { text, hdf5 };
enum class EdgeDirection { src_follows_dst, dst_follows_src };
// Kinds of post. Government: information, consultation, reply, correction. Citizens: rumour,
// complaint (questions are mentions, handled by the question queue, not as posts).
enum class PostType { information, consultation, reply, correction, rumour, complaint };
inline constexpr std::size_t kPostTypes = 6;
enum class QueueDiscipline { fifo, most_followers, most_urgent };
enum class DecayKernel { exponential, power_law };
enum class Diurnal { typical, flat };
enum class RumourModel { hoax, maki_thompson, daley_kendall };
enum class EventType { shock, rumour, strategy_change, capacity_change, platform_change, post };

struct Region {
  std::string name = "all";
  double share = 1.0;  // of the population; citizens get regions in contiguous id blocks
  // Initial trust in government ~ Beta with this mean and concentration (a + b).
  double trust_mean = 0.55;
  double trust_concentration = 10.0;
  // Initial concern ~ Beta with this mean and concentration; concern decays back to the mean.
  double concern_mean = 0.05;
  double concern_concentration = 10.0;
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

  // Government accounts: staff and the reply queue (reactive and dialogue strategies).
  double capacity_fte = 1.0;          // staff answering questions, in full-time equivalents
  double replies_per_fte_hour = 6.0;  // replies one FTE writes per office hour
  double office_open_hour = 9.0;      // office hours [open, close) in local time, 0..24
  double office_close_hour = 17.0;
  std::uint8_t office_days = 0x1f;  // bit d set: open on day d (0 = Monday ... 6 = Sunday)
  QueueDiscipline queue = QueueDiscipline::fifo;
  double privacy_redirect = 0.1;  // share of answers that must move to a private channel
  double post_minutes = 15.0;     // staff minutes per post (information, consultation, ...)
  // Dialogue: consultations, acknowledgement, rumour monitoring.
  double consultation_share = 0.25;     // share of scheduled posts that are consultations
  double acknowledge_after_hours = 24;  // a consultation's contributors are thanked publicly then
  double detection_delay_hours = 6.0;   // from a rumour's start to the public correction
  double correction_boost = 2.0;        // organic-reach multiplier of a correction post

  // The follower count this account gets among n citizens (share or absolute; default 30%).
  std::int64_t follower_target(std::int64_t n) const;
};

struct CitizenParams {
  double sessions_per_day = 3.0;  // median sessions per day (lognormal across citizens)
  double activity_sigma = 1.0;    // sigma of log(sessions per day)
  Diurnal diurnal = Diurnal::typical;
};

struct PlatformParams {
  double organic_reach =
      0.3;  // share of an institutional account's followers whose feed shows a post
  double citizen_reach = 0.6;  // the same for posts and reshares by citizens
  DecayKernel decay = DecayKernel::exponential;
  double half_life_hours = 3.0;         // exponential: visibility halves every half-life
  double powerlaw_theta = 0.242;        // power_law (SEISMIC): phi(t) ~ (t / s0)^-(1 + theta)
  double powerlaw_s0_hours = 5.0 / 60;  // power_law: constant plateau before the tail
  double max_age_hours = 48.0;          // a post is never seen after this age
  double engagement_weight = 0.0;       // feed boost 1 + w * log1p(engagements of the post so far)
};

struct Reaction {
  // Per exposure, before trust/concern effects. `reshare` multiplies
  // diffusion.reshare_probability (so information posts, at 1, reshare with exactly that p).
  double like = 0.0, comment = 0.0, reshare = 1.0;
};

struct ReactionParams {
  // Indexed by PostType. Defaults in scenario.cpp (default_reactions()).
  std::array<Reaction, kPostTypes> by_type;
  double trust_sensitivity = 1.0;    // like/reshare of government posts x (1 + s (2 trust - 1))
  double concern_sensitivity = 1.0;  // comments x (1 + s concern)
  ReactionParams();
};

struct DiffusionParams {
  DiffusionModel model = DiffusionModel::independent_cascade;
  // Independent cascade: chance that a citizen who sees a government information post (or a
  // reshare of it) reshares it; other post types scale it by reactions.<type>.reshare.
  double reshare_probability = 0.003;
  double threshold = 0.2;        // fractional_threshold: share of followees that must have shared
  std::int64_t contagion_k = 2;  // complex_contagion: distinct sharers seen before resharing
};

struct QuestionParams {
  double ask_rate_per_day = 0.5;       // questions per day by a citizen with concern 1 (x concern)
  double min_concern = 0.2;            // citizens below this concern do not ask
  double patience_hours = 24.0;        // mean of the asker's exponential patience
  double complaint_probability = 0.3;  // an unanswered asker posts a complaint
};

struct TrustParams {
  bool updates = true;     // false: trust never changes (a control)
  double asymmetry = 2.0;  // every loss below is multiplied by this (Slovic)
  // Gains move trust towards 1 (t += g (1 - t)), losses towards 0 (t -= asymmetry * l * t).
  double answered_gain = 0.10;      // the asker's question was answered publicly
  double redirected_gain = 0.04;    // the asker got a private, partial answer
  double reply_seen_gain = 0.01;    // a follower saw a public answer to someone else
  double acknowledged_gain = 0.08;  // a consultation contributor was thanked publicly
  double correction_gain = 0.02;    // saw a correction (scaled by current trust)
  double ignored_loss = 0.08;       // own question unanswered past patience
  double complaint_loss = 0.01;     // saw a complaint by a followee
  double rumour_loss = 0.06;        // came to believe a rumour
};

struct RumourParams {
  RumourModel model = RumourModel::hoax;
  double spreading = 0.5;    // hoax: a new believer posts the rumour; MT/DK: contacts per step
  double gullibility = 0.3;  // hoax: an unaware citizen who sees it believes it (trust 0.5)
  double gullibility_trust = 0.5;  // hoax: gullibility x (1 + g (1 - 2 trust)), clamped to [0,1]
  double verification = 0.05;      // hoax: per step, a believer checks and turns sceptic
  double forgetting = 0.01;        // hoax: per step, a believer or sceptic forgets (-> unaware)
  double correction_verification = 0.3;  // seeing a correction: believer/unaware -> sceptic
  double concern_jump = 0.2;             // believing raises concern c += j (1 - c)
};

struct FollowParams {
  double follow_probability = 0.05;    // non-follower likes/reshares a government post it saw
  double unfollow_threshold = 0.2;     // trust below this: may unfollow on seeing a post
  double unfollow_probability = 0.05;  // per post seen while below the threshold
  double fatigue_unfollow = 0.0005;    // per post seen without engaging (fatigue)
};

struct ConcernParams {
  double half_life_hours = 48.0;  // concern decays towards the region's concern_mean
};

struct TimeParams {
  double step_hours = 1.0;
  double duration_hours = 14.0 * 24.0;
  int start_weekday = 0;    // 0 = Monday ... 6 = Sunday, at time 0
  double start_hour = 0.0;  // local time of day at time 0
};

// A timeline entry (model.md §5). Fields not used by the event's type stay at their defaults.
struct Event {
  double at_hours = 0;
  EventType type = EventType::shock;
  std::string region;         // shock, rumour: "" means everywhere
  std::string account;        // strategy/capacity change, post: "" means every government account
  double concern_jump = 0.5;  // shock: c += jump (1 - c) for the region's citizens
  double ask_surge = 3.0;     // shock: question rate multiplier ...
  double surge_hours = 24.0;  // ... for this long
  std::int64_t seeds = 10;    // rumour: initial believers (random citizens in the region)
  Strategy strategy = Strategy::broadcast;     // strategy_change
  double capacity_fte = 1.0;                   // capacity_change
  double organic_reach = 0.15;                 // platform_change: new institutional organic reach
  PostType post_type = PostType::information;  // post
};

// A named treatment arm for `civsim compare`: a strategy for every government account and/or
// scenario overrides ("key.path=value", applied with the same validation as --set).
struct Arm {
  std::string name;
  std::string strategy;  // "" = keep the accounts' strategies
  std::vector<std::string> set;
};

struct Scenario {
  std::string name = "unnamed";
  std::uint64_t seed = 1;
  std::int64_t population = 100000;
  std::vector<Region> regions{Region{}};
  NetworkParams network;
  std::vector<AccountParams> accounts{AccountParams{}};
  CitizenParams citizens;
  PlatformParams platform;
  ReactionParams reactions;
  DiffusionParams diffusion;
  QuestionParams questions;
  TrustParams trust;
  RumourParams rumour;
  FollowParams following;
  ConcernParams concern;
  TimeParams time;
  std::vector<Event> events;
  std::vector<Arm> arms;

  std::int64_t steps() const;
  // Citizens per region, in region order, summing to population (largest remainders).
  std::vector<std::int64_t> region_sizes() const;
};

}  // namespace civsim

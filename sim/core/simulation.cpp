#include "core/simulation.hpp"

#include <omp.h>

#include <boost/container/deque.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cassert>
#include <cmath>
#include <deque>
#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "core/block_vector.hpp"
#include "core/dynamics.hpp"
#include "core/rng.hpp"
#include "core/sorted_ids.hpp"

namespace civsim {
namespace {

std::size_t words_for(std::size_t bits) {
  return (bits + 63) / 64;
}

// Sets bit i; returns true when this call set it (it was clear before). Safe in parallel. A bit
// already set is only read: a locked write takes the cache line from the other threads, and a
// step touches the same citizens' bits many times from both.
bool test_and_set(std::vector<std::uint64_t>& bits, std::size_t i) {
  const std::uint64_t mask = std::uint64_t{1} << (i % 64);
  std::atomic_ref<std::uint64_t> word(bits[i / 64]);
  if (word.load(std::memory_order_relaxed) & mask) return false;
  return (word.fetch_or(mask, std::memory_order_relaxed) & mask) == 0;
}

// Reads bit i; atomic because other threads may be setting other bits of the same word.
bool test(const std::vector<std::uint64_t>& bits, std::size_t i) {
  const std::uint64_t word =
      std::atomic_ref<std::uint64_t>(const_cast<std::uint64_t&>(bits[i / 64]))
          .load(std::memory_order_relaxed);
  return (word >> (i % 64)) & 1u;
}

void set_bit(std::vector<std::uint64_t>& bits, std::size_t i, bool on) {
  const std::uint64_t mask = std::uint64_t{1} << (i % 64);
  bits[i / 64] = on ? (bits[i / 64] | mask) : (bits[i / 64] & ~mask);
}

template <class T>
T atomic_add(T& x, T d) {
  return std::atomic_ref<T>(x).fetch_add(d, std::memory_order_relaxed);
}

bool contains(const std::vector<NodeId>& sorted, NodeId u) {
  return std::binary_search(sorted.begin(), sorted.end(), u);
}

// Threshold rules count the sharers each citizen has seen, so their delivery order matters.
bool is_threshold_model(DiffusionModel m) {
  return m == DiffusionModel::linear_threshold || m == DiffusionModel::fractional_threshold ||
         m == DiffusionModel::complex_contagion;
}

bool is_government_type(PostType t) {
  return t == PostType::information || t == PostType::consultation || t == PostType::reply ||
         t == PostType::correction;
}

// Fixed-point trust for order-free exact sums: 2^32 units per 1.0 (sums of 2^31 citizens fit).
constexpr double kTrustScale = 4294967296.0;
std::int64_t trust_units(double t) {
  return std::llround(t * kTrustScale);
}
constexpr std::size_t kTrustBins = 1024;
std::size_t trust_bin(double t) {
  return std::min(kTrustBins - 1, static_cast<std::size_t>(t * static_cast<double>(kTrustBins)));
}

enum RumourState : std::uint8_t { kUnaware = 0, kBeliever = 1, kSceptic = 2 };
enum Flag : std::uint8_t { kBelieve = 1, kReject = 2 };

// An allocator whose resize() leaves new elements uninitialised (for buffers filled right after).
template <class T>
struct NoInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = NoInitAllocator<U>;
  };
  NoInitAllocator() = default;
  template <class U>
  NoInitAllocator(const NoInitAllocator<U>&) noexcept {}
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    if constexpr (sizeof...(Args) == 0)
      ::new (static_cast<void*>(p)) U;
    else
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// Chunked deterministic parallel loops: work is split into fixed chunks whose results are
// combined in chunk order, so floating-point sums do not depend on the thread count. A region
// whose `if` clause is false still costs libgomp about 2 us (it makes and frees a team of one):
// a step with nothing to do in a phase skips the region altogether, which matters for the many
// quiet steps of a cascade (10 us a step before).
constexpr std::int64_t kChunk = 8192;
// Work per task of the loops whose result does not depend on how the work is split (publication,
// delivery, the trust pass, the rumour's transitions and contacts): a sixteenth of the work, at
// least kTask, so that the few thousand items of a quiet step of a regional crisis are still
// shared by the threads (with kChunk most of those loops ran on one thread: scenarios/default.toml
// at 10^6 citizens ran 1.4x as fast on two threads as on one), and at most kChunk, so that a large
// step is cut as before (finer tasks there only add scheduling; no gain was measured).
constexpr std::int64_t kTask = 2048;
std::int64_t task_size(std::uint64_t work) {
  return std::clamp(static_cast<std::int64_t>(work / 16), kTask, kChunk);
}
// How many citizens ahead the random-access loops prefetch their state.
constexpr std::int64_t kPrefetch = 16;
// Give-ups looked up per task (a step has ten thousand or more at 10^6 citizens).
constexpr std::int64_t kGiveUpChunk = 2048;
// The step id of the draw that sets each citizen's first question threshold (no real step has it).
constexpr std::uint64_t kFirstQuestion = ~std::uint64_t{0};

}  // namespace

// One post (a cascade): a government post, reply or correction, a complaint, or a rumour post.
struct Post {
  std::uint64_t key = 0;  // identity of the post in random draws (see make_key)
  PostType type = PostType::information;
  std::int32_t account = -1;  // government account index; -1 for citizens' posts
  std::int64_t created = 0;
  bool scheduled = false;       // a scheduled information/consultation post (histograms)
  std::vector<NodeId> sharers;  // sorted citizens who reshared it, while they are few ...
  std::vector<std::uint64_t> sharer_bits;  // ... then a bitmap over citizens instead
  std::uint64_t n_sharers = 0;             // kept after the post dies and sharers is freed
  std::uint32_t max_depth = 0;             // deepest reshare, in hops from the author
  std::uint64_t engagement = 0;            // likes + comments + reshares so far
  std::int64_t pending = 0;                // scheduled exposures not yet delivered
  bool live = false;                       // has had pending exposures since it last had none
  std::vector<std::uint16_t> seen;         // threshold models: distinct sharers each citizen saw
  std::vector<NodeId> contributors;        // consultations: sorted citizens who commented
};

namespace {

// Above this many sharers a post keeps them in a bitmap over citizens (n / 8 bytes, freed when
// the post dies): a reshare check is then one bit test instead of a binary search.
constexpr std::size_t kSharerBitmapMin = 4096;

bool is_sharer(const Post& p, NodeId u) {
  return p.sharer_bits.empty() ? contains(p.sharers, u) : test(p.sharer_bits, u);
}

// Adds sorted, unique new sharers (none of them a sharer yet).
void add_sharers(Post& p, const std::vector<NodeId>& add, std::uint32_t n_citizens) {
  if (p.sharer_bits.empty() && p.sharers.size() + add.size() < kSharerBitmapMin) {
    merge_into(p.sharers, add);
    return;
  }
  if (p.sharer_bits.empty()) {
    p.sharer_bits.assign(words_for(n_citizens), 0);
    for (const NodeId u : p.sharers) set_bit(p.sharer_bits, u, true);
    std::vector<NodeId>().swap(p.sharers);
  }
  for (const NodeId u : add) set_bit(p.sharer_bits, u, true);
}

}  // namespace

// A scheduled delivery of post `post` into citizen u's feed, shared by `source` at `depth`.
struct Exposure {
  std::uint32_t post;
  NodeId u;
  NodeId source;
  std::uint32_t depth;
};

// Exposures kept as a reference instead of one Exposure each: post `post`, shared by `source` at
// `depth`, reaches the first `count` followers of `source` in the network. Follower lists are
// sorted and accounts have the largest ids, so these are exactly its citizen followers.
struct FollowerRun {
  std::uint32_t post;
  NodeId source;
  std::uint32_t depth;
  std::uint32_t count;
  const NodeId* followers;  // net.followers(source).data(), kept to spare delivery a cache miss
};

// The exposures scheduled for one step: materialised ones, then follower runs. The materialised
// ones are filled in place, in blocks of 4096: a vector's reallocations, as a slot grew over the
// steps that publish into it, copied its exposures into freshly faulted pages on the serial path
// (0.7-1 ms a step of the first two days at 10^6 citizens, when every slot is new).
struct Slot {
  BlockVector<Exposure, 12> items;
  std::vector<FollowerRun> runs;
};

struct Question {
  NodeId asker;
  std::int64_t asked;     // step
  std::int64_t deadline;  // first step at which the asker has given up; kGone once handled
  double urgency;         // concern when asked
  std::uint64_t asker_followers;
  static constexpr std::int64_t kGone = -1;
};

// A question whose asker gave up.
struct GiveUp {
  NodeId asker;
  std::int64_t asked;
  bool complains;
};

// An account's open questions, in the order they are kept. A fifo queue is in (asked, asker)
// order by construction and answered from the front; its askers give up at their deadlines,
// found through an index by deadline instead of a pass over the queue each step (which at 10^6
// citizens read a few hundred thousand questions a step on one thread). A given-up question is
// marked gone and dropped when it reaches the front. A queue of another discipline is reordered
// to answer, kept without gaps, and scanned for give-ups each step.
struct ReplyQueue {
  // Blocks of 1024 questions: std::deque's 512-byte blocks cost an allocation every 12
  // questions, and a vector's reallocations copied the queue into freshly faulted pages, both on
  // the serial path that adds a step's questions.
  boost::container::deque<Question, void,
                          boost::container::deque_options_t<boost::container::block_size<1024>>>
      items;
  std::uint64_t front_seq = 0;  // sequence number of items.front() (0, 1, ... in joining order)
  std::size_t open = 0;         // questions in the queue that are not gone
  // fifo: expiring[d - expiring_from] holds the sequence numbers, ascending, of the questions
  // whose deadline is step d; expiring_from is one past the last step handed out.
  std::deque<std::vector<std::uint64_t>> expiring;
  std::int64_t expiring_from = 0;

  std::size_t size() const { return items.size(); }
  Question& operator[](std::size_t i) { return items[i]; }
  Question& front() { return items.front(); }
  auto begin() { return items.begin(); }
  auto end() { return items.end(); }
  void push(const Question& q, bool fifo) {
    if (fifo) {
      const auto slot = static_cast<std::size_t>(q.deadline - expiring_from);
      if (slot >= expiring.size()) expiring.resize(slot + 1);
      expiring[slot].push_back(front_seq + size());
    }
    items.push_back(q);
    ++open;
  }
  void pop_front() {
    items.pop_front();
    ++front_seq;
  }
  void drop_gone_front() {
    while (size() > 0 && front().deadline == Question::kGone) pop_front();
  }
  // fifo: the sequence numbers of questions whose deadline is `step` or earlier, ascending
  // within a deadline.
  void take_expired(std::int64_t step, std::vector<std::uint64_t>& out) {
    for (; expiring_from <= step; ++expiring_from) {
      if (expiring.empty()) {
        expiring_from = step + 1;
        break;
      }
      out.insert(out.end(), expiring.front().begin(), expiring.front().end());
      expiring.pop_front();
    }
  }
};

struct AccountState {
  NodeId node = 0;
  Strategy strategy = Strategy::broadcast;
  double capacity_fte = 0;
  bool government = false;
  std::vector<std::uint64_t> follows;  // bitmap over citizens: follows the account now
  std::vector<NodeId> extra;           // sorted followers gained during the run
  std::uint64_t n_followers = 0;
  // A citizen followed or unfollowed it during the run: `follows` may differ from its followers
  // in the network (until then it is exactly its citizen followers, and `extra` is empty).
  bool followers_changed = false;
  ReplyQueue queue;
  double budget = 0;                  // reply capacity carried over (fractional)
  std::uint64_t scheduled_posts = 0;  // scheduled posts published so far
  std::uint64_t specials = 0;         // corrections, acknowledgements and event posts so far
  std::vector<std::pair<std::int64_t, std::uint32_t>> acknowledgements;  // (due step, post)
  std::vector<std::int64_t> corrections;                                 // due steps
};

// The aggregates kept exactly (integers), so that they are order-free: the State's totals, and
// one thread's changes to them in a parallel pass, added to the totals once at the pass's end.
// (Atomic adds to the few shared counters from both threads made the trust pass slower on two
// threads than on one: their cache lines bounced between the cores.)
struct Tally {
  std::vector<std::int64_t> trust_sum;   // fixed point, per region
  std::vector<std::int64_t> trust_hist;  // kTrustBins
  std::vector<std::int64_t> believers;   // per region
  std::int64_t sceptics = 0;

  explicit Tally(std::size_t n_regions = 0)
      : trust_sum(n_regions, 0), trust_hist(kTrustBins, 0), believers(n_regions, 0) {}
  Tally& operator+=(const Tally& d) {
    for (std::size_t r = 0; r < trust_sum.size(); ++r) {
      trust_sum[r] += d.trust_sum[r];
      believers[r] += d.believers[r];
    }
    for (std::size_t b = 0; b < kTrustBins; ++b) trust_hist[b] += d.trust_hist[b];
    sceptics += d.sceptics;
    return *this;
  }
};

struct Simulation::State {
  const Scenario sc;
  const Network& net;
  const std::uint32_t rep;
  const std::int64_t n_steps;
  const std::uint32_t n;  // citizens
  const std::size_t n_regions;
  const std::vector<double>& profile;
  const std::int64_t max_age;  // steps a post stays visible
  std::int64_t step = 0;
  double organic_reach;  // changes with platform_change events

  // Citizens (structure of arrays).
  std::vector<std::uint8_t> region;
  std::vector<float> activity;  // sessions per day
  float min_activity = 0;       // over citizens
  std::vector<double> trust;
  std::vector<float> concern_base;              // concern decays back to this
  std::vector<double> excess;                   // concern above the base
  std::vector<std::uint8_t> rumour;             // RumourState
  std::vector<std::uint64_t> pending_question;  // bitmap
  // Hazard left before each citizen's next question (an exponential clock; questions off: empty).
  std::vector<double> ask_hazard;
  std::vector<std::uint32_t> followees;  // weighted cascade, thresholds
  std::vector<NodeId> concerned;         // sorted: excess > 0 or base >= min_concern
  std::vector<NodeId> informed;          // sorted: believers and sceptics

  // Per-step event counters, reset for the touched citizens after each step.
  std::vector<std::uint16_t> ev_reply, ev_complaint, ev_correction;
  std::vector<std::uint8_t> ev_answered, ev_redirected, ev_ignored, ev_acknowledged, ev_flags;
  std::vector<std::uint64_t> touched_bits;
  std::vector<NodeId> touched;

  Tally totals;
  std::vector<double> base_concern_sum;  // per region, fixed at the start
  std::vector<std::int64_t> region_size;
  std::vector<std::int64_t> region_first;  // first citizen id of each region
  std::vector<double> surge;               // question-rate multiplier per region ...
  std::vector<std::int64_t> surge_until;   // ... until this step

  std::vector<std::uint64_t> exposed, engaged, corrected;  // bitmaps over citizens
  // Bitmap over citizens who reshared any post so far: most citizens a post reaches have shared
  // nothing, and one bit test then spares the search of the post's sharers.
  std::vector<std::uint64_t> resharers;
  std::vector<std::int64_t> region_reach;
  std::uint64_t reach = 0, engagers = 0, correction_reach = 0;

  std::vector<AccountState> accounts;
  std::vector<std::size_t> government;  // indices of government accounts
  BlockVector<Post> posts;              // grows without moving: replies make hundreds of thousands
  std::vector<Slot> ring;               // scheduled exposures by step % ring.size()
  std::vector<std::vector<double>> tables;  // exposure tables by start step (lazy)
  // Posts whose last pending exposure was delivered this step (each is finished unless the step
  // scheduled new ones), and how many government posts are live: a pass over every live post each
  // step (tens of thousands in a dialogue arm) was a millisecond of serial work.
  std::vector<std::uint32_t> drained;
  std::int64_t live_government = 0;
  // Scratch lists of the reply queues (the sequence numbers of due questions, the give-ups in
  // chunks), kept across steps: grown afresh each step, their pages were faulted in again every
  // step.
  std::vector<std::uint64_t> due_scratch;
  std::vector<std::vector<GiveUp>> give_up_chunks;
  // The concern pass's new questions per chunk, kept across steps like the lists above.
  std::vector<std::vector<std::pair<std::size_t, Question>>> question_chunks;
  // publish_all's per-chunk buffers, kept between calls so that their memory is reused: staged
  // exposures with their ring slots, how many go to each slot, exposures per post (run-length).
  // One cache line each: neighbouring chunks are filled by different threads, and the vectors'
  // end pointers, written at every push_back, would otherwise share a line.
  struct alignas(64) Staged {
    std::vector<std::pair<std::uint32_t, Exposure>,
                NoInitAllocator<std::pair<std::uint32_t, Exposure>>>
        items;
    std::vector<std::uint32_t> per_slot;
    std::vector<std::pair<std::uint32_t, std::int64_t>> per_post;
  };
  std::vector<Staged> staging;

  // Run totals for the summary.
  double cum_posts = 0, cum_likes = 0, cum_comments = 0, cum_reshares = 0;
  double total_impressions = 0, total_staff = 0, peak_backlog = 0, peak_believers = 0;
  std::uint64_t asked = 0, answered = 0, redirected = 0, unanswered = 0, complaints = 0;
  std::vector<float> response_hours;
  double initial_trust = 0, initial_followers = 0;
  StepRecord last;

  State(const Scenario& s, const Network& network, std::uint32_t replicate);

  DrawId id(Purpose p, std::uint64_t st, std::uint64_t agent, std::uint64_t k = 0) const {
    return {sc.seed, rep, p, st, agent, k};
  }
  double concern(NodeId u) const {
    return std::min(1.0, static_cast<double>(concern_base[u]) + excess[u]);
  }
  bool follows(std::size_t a, NodeId u) const { return test(accounts[a].follows, u); }
  const std::vector<double>& table(std::int64_t start);

  void touch(NodeId u, std::vector<NodeId>& local) {
    if (test_and_set(touched_bits, u)) local.push_back(u);
  }
  std::uint32_t new_post(PostType type, std::int32_t account, std::uint64_t key_a,
                         std::uint64_t key_b);
  // A post published by `audience` (an account or a citizen) into its followers' feeds: the feed
  // filter and the time each follower sees it decided now, the exposures scheduled in the ring.
  struct Publication {
    std::uint32_t post;
    NodeId audience;
    double reach;
    std::int64_t first_step;
    std::uint32_t depth;
  };
  void publish(std::uint32_t post, NodeId audience, double feed_reach, std::int64_t first_step,
               std::uint32_t depth);
  void publish_all(std::span<const Publication> pubs);

  void apply_events(StepRecord& rec);
  void government_posts(StepRecord& rec);
  void process_queues(StepRecord& rec, std::vector<double>& response);
  void rumour_contacts(std::vector<NodeId>& local);
  void deliver(StepRecord& rec);
  void update_touched();
  void rumour_transitions();
  void concern_and_questions(StepRecord& rec);
  void record(StepRecord& rec, std::vector<double>& response);
  // Set a citizen's trust or rumour state, counting the change in the aggregates in d.
  void set_trust(NodeId u, double t, Tally& d);
  void set_rumour(NodeId u, std::uint8_t s, Tally& d);
  // Schedules k > 0 more exposures of a post.
  void add_pending(std::uint32_t post, std::int64_t k);
};

Simulation::State::State(const Scenario& s, const Network& network, std::uint32_t replicate)
    : sc(s),
      net(network),
      rep(replicate),
      n_steps(s.steps()),
      n(network.n_citizens()),
      n_regions(s.regions.size()),
      profile(diurnal_profile(s.citizens.diurnal)),
      max_age(max_age_steps(s.platform, s.time.step_hours)),
      organic_reach(s.platform.organic_reach) {
  if (net.n_nodes() != n + sc.accounts.size())
    throw std::invalid_argument("Simulation: the network's accounts do not match the scenario's");
  if (n_regions == 0 || n_regions > 255)
    throw std::invalid_argument("Simulation: between 1 and 255 regions are supported");

  // Regions are contiguous blocks of citizen ids, sized by the scenario's shares.
  Scenario sized = sc;
  sized.population = n;
  region_size = sized.region_sizes();
  region.resize(n);
  for (std::size_t r = 0, u = 0; r < n_regions; ++r) {
    region_first.push_back(static_cast<std::int64_t>(u));
    for (std::int64_t i = 0; i < region_size[r]; ++i) region[u++] = static_cast<std::uint8_t>(r);
  }

  activity.resize(n);
  trust.resize(n);
  concern_base.resize(n);
  const auto beta = [](DrawId d, double mean, double conc) {
    if (mean <= 0) return 0.0;
    if (mean >= 1) return 1.0;
    return beta_draw(d, mean, conc);
  };
#pragma omp parallel for schedule(static, kChunk)
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i) {
    const auto u = static_cast<NodeId>(i);
    const Region& reg = sc.regions[region[u]];
    trust[u] = beta(id(Purpose::citizen_trust, 0, u), reg.trust_mean, reg.trust_concentration);
    concern_base[u] = static_cast<float>(
        beta(id(Purpose::citizen_concern, 0, u), reg.concern_mean, reg.concern_concentration));
    const auto w = random_words(id(Purpose::citizen_activity, 0, u));
    activity[u] =
        static_cast<float>(sc.citizens.sessions_per_day *
                           std::exp(sc.citizens.activity_sigma * normal_from(w[0], w[1])));
  }
  min_activity = n ? *std::min_element(activity.begin(), activity.end()) : 0.0f;
  excess.assign(n, 0.0);
  rumour.assign(n, kUnaware);
  pending_question.assign(words_for(n), 0);
  if (sc.diffusion.model != DiffusionModel::independent_cascade &&
      sc.diffusion.model != DiffusionModel::complex_contagion)
    followees = net.followee_counts();
  for (NodeId u = 0; u < n; ++u)
    if (concern_base[u] >= sc.questions.min_concern) concerned.push_back(u);

  for (auto* v : {&ev_reply, &ev_complaint, &ev_correction}) v->assign(n, 0);
  for (auto* v : {&ev_answered, &ev_redirected, &ev_ignored, &ev_acknowledged, &ev_flags})
    v->assign(n, 0);
  touched_bits.assign(words_for(n), 0);

  totals = Tally(n_regions);
  base_concern_sum.assign(n_regions, 0.0);
  for (NodeId u = 0; u < n; ++u) {
    totals.trust_sum[region[u]] += trust_units(trust[u]);
    ++totals.trust_hist[trust_bin(trust[u])];
    base_concern_sum[region[u]] += concern_base[u];
  }
  surge.assign(n_regions, 1.0);
  surge_until.assign(n_regions, 0);
  for (auto* b : {&exposed, &engaged, &corrected, &resharers}) b->assign(words_for(n), 0);
  region_reach.assign(n_regions, 0);

  for (std::size_t a = 0; a < sc.accounts.size(); ++a) {
    const auto& p = sc.accounts[a];
    AccountState acc;
    acc.node = static_cast<NodeId>(n + a);
    acc.strategy = p.strategy;
    acc.capacity_fte = p.capacity_fte;
    acc.government = p.kind == AccountKind::government;
    acc.follows.assign(words_for(n), 0);
    for (const NodeId u : net.followers(acc.node))
      if (net.is_citizen(u)) set_bit(acc.follows, u, true), ++acc.n_followers;
    if (acc.government) {
      government.push_back(a);
      initial_followers += static_cast<double>(acc.n_followers);
    }
    accounts.push_back(std::move(acc));
  }
  if (!government.empty() && sc.questions.ask_rate_per_day > 0) {
    ask_hazard.resize(n);
#pragma omp parallel for schedule(static, kChunk)
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i)
      ask_hazard[static_cast<std::size_t>(i)] = -std::log(to_unit_open0(
          random_words(id(Purpose::question, kFirstQuestion, static_cast<NodeId>(i)))[0]));
  }
  ring.resize(static_cast<std::size_t>(max_age + 2));
  tables.resize(static_cast<std::size_t>(n_steps));
  double total = 0;
  for (const auto x : totals.trust_sum) total += static_cast<double>(x);
  initial_trust = n ? total / kTrustScale / n : 0.0;
}

const std::vector<double>& Simulation::State::table(std::int64_t start) {
  auto& t = tables[static_cast<std::size_t>(start)];
  if (t.empty()) t = exposure_table(sc.platform, sc.time, profile, start);
  return t;
}

std::uint32_t Simulation::State::new_post(PostType type, std::int32_t account, std::uint64_t key_a,
                                          std::uint64_t key_b) {
  // The identity of a post in random draws: its type, who (account index or citizen id) and
  // which (sequence number or step). It does not depend on the order posts were created in, so
  // the same post gets the same draws in every strategy arm.
  Post p;
  p.key = (static_cast<std::uint64_t>(type) << 58) |
          ((key_b & ((std::uint64_t{1} << 26) - 1)) << 32) | (key_a & 0xffffffffu);
  p.type = type;
  p.account = account;
  p.created = step;
  const bool ruled = type == PostType::information || type == PostType::consultation ||
                     type == PostType::correction;
  if (ruled && is_threshold_model(sc.diffusion.model)) p.seen.assign(n, 0);
  posts.push_back(std::move(p));
  return static_cast<std::uint32_t>(posts.size() - 1);
}

void Simulation::State::publish(std::uint32_t post, NodeId audience, double feed_reach,
                                std::int64_t first_step, std::uint32_t depth) {
  const Publication one{post, audience, feed_reach, first_step, depth};
  publish_all(std::span<const Publication>(&one, 1));
}

void Simulation::State::publish_all(std::span<const Publication> pubs) {
  // The work is the concatenation of every publication's audience (followers, then the extra
  // followers of an account), cut into fixed chunks (task_size). Each chunk stages its
  // exposures by ring slot; the chunks are then copied into the ring in chunk order, so the ring
  // holds the exposures in the same order whatever the thread count (the order of one sequential
  // pass over the publications).
  struct Source {
    std::uint32_t pub;
    std::span<const NodeId> audience;
  };
  // The largest age at which a follower can first see a post is decided by E = -log(U), U in
  // (0, 1], at most -log(2^-53) < 36.8: with activity * D[0] above this the post is seen at age 0
  // whatever the draw, and the draw is not made. Likewise the feed filter with reach 1.
  constexpr double kMaxExposureDraw = 40.0;
  const auto ring_size = ring.size();
  // Each publication's audience is looked up first, in parallel when there are many (a hop's
  // thousands of reshares come from random citizens, and each lookup is a few cache misses; on
  // one thread this pass took 0.3 ms a step), then scheduled in order on this thread: a follower
  // run, or sources for the staging below.
  enum class Kind : std::uint8_t { none, run, sources };
  struct Audience {
    Kind kind = Kind::none;
    std::uint32_t run = 0;  // a follower run: its citizens, the first `run` of `followers`
    std::span<const NodeId> followers, extra;
  };
  // The exposure tables they need, made here: table() is not thread-safe.
  for (const Publication& pb : pubs)
    if (pb.first_step < n_steps) table(pb.first_step);
  std::vector<Audience> audiences(pubs.size());
  const auto& offsets = net.offsets();
  const NodeId* all_followers = net.follower_array().data();
  const bool runs = !is_threshold_model(sc.diffusion.model);
  const auto look_up = [&](std::size_t i) {
    // Fetch the network rows of later ones now (the offsets further ahead, then the last
    // follower of a nearer one, which the check below reads).
    if (i + 2 * kPrefetch < pubs.size())
      __builtin_prefetch(&offsets[pubs[i + 2 * kPrefetch].audience + 1]);
    if (i + kPrefetch < pubs.size()) {
      const std::uint64_t end = offsets[pubs[i + kPrefetch].audience + 1];
      if (end > 0) __builtin_prefetch(all_followers + end - 1);
    }
    const Publication& pb = pubs[i];
    if (pb.first_step >= n_steps || pb.reach <= 0) return;
    const auto& tab = tables[static_cast<std::size_t>(pb.first_step)];
    Audience& au = audiences[i];
    au.followers = net.followers(pb.audience);
    // Every citizen follower sees it at age 0 without a draw (the least active one included) and
    // the audience is exactly the network's citizen followers (no follows or unfollows of an
    // account yet): the exposures are one follower run, read from the network when delivered, so
    // nothing is copied. Not for threshold rules, whose delivery follows the order of the items.
    const bool whole_audience =
        net.is_citizen(pb.audience) || !accounts[pb.audience - n].followers_changed;
    if (whole_audience && pb.reach >= 1.0 && runs &&
        static_cast<double>(min_activity) * tab[0] >= kMaxExposureDraw) {
      const auto f = au.followers;
      // The citizens come first; usually all followers are citizens.
      au.run =
          static_cast<std::uint32_t>(f.empty() || net.is_citizen(f.back())
                                         ? f.size()
                                         : std::lower_bound(f.begin(), f.end(), n) - f.begin());
      if (au.run > 0) au.kind = Kind::run;
      return;
    }
    au.kind = Kind::sources;
    if (!net.is_citizen(pb.audience)) au.extra = accounts[pb.audience - n].extra;
  };
  const auto n_pubs = static_cast<std::int64_t>(pubs.size());
  if (n_pubs > kChunk / 8) {
#pragma omp parallel for schedule(static, kChunk / 8)
    for (std::int64_t i = 0; i < n_pubs; ++i) look_up(static_cast<std::size_t>(i));
  } else {
    for (std::size_t i = 0; i < pubs.size(); ++i) look_up(i);
  }
  std::vector<Source> sources;
  std::vector<std::uint64_t> prefix{0};
  const auto add = [&](std::size_t i, std::span<const NodeId> a) {
    if (a.empty()) return;
    sources.push_back({static_cast<std::uint32_t>(i), a});
    prefix.push_back(prefix.back() + a.size());
  };
  for (std::size_t i = 0; i < pubs.size(); ++i) {
    const Audience& au = audiences[i];
    const Publication& pb = pubs[i];
    if (au.kind == Kind::run) {
      ring[static_cast<std::uint64_t>(pb.first_step) % ring_size].runs.push_back(
          {pb.post, pb.audience, pb.depth, au.run, au.followers.data()});
      add_pending(pb.post, au.run);
    } else if (au.kind == Kind::sources) {
      add(i, au.followers);
      add(i, au.extra);
    }
  }
  const std::uint64_t total = prefix.back();
  if (total == 0) return;
  const auto task = static_cast<std::uint64_t>(task_size(total));
  const auto n_tasks = static_cast<std::int64_t>((total + task - 1) / task);

  if (staging.size() < static_cast<std::size_t>(n_tasks))
    staging.resize(static_cast<std::size_t>(n_tasks));
  auto& staged = staging;
#pragma omp parallel for schedule(dynamic, 1) if (n_tasks > 1)
  for (std::int64_t t = 0; t < n_tasks; ++t) {
    Staged& st = staged[static_cast<std::size_t>(t)];
    std::uint64_t pos = static_cast<std::uint64_t>(t) * task;
    const std::uint64_t end = std::min(total, pos + task);
    st.items.clear();
    st.items.reserve(end - pos);
    st.per_slot.assign(ring_size, 0);
    st.per_post.clear();
    auto src = static_cast<std::size_t>(std::upper_bound(prefix.begin(), prefix.end(), pos) -
                                        prefix.begin() - 1);
    for (; pos < end; ++src) {
      const Source& so = sources[src];
      const Publication& pb = pubs[so.pub];
      const auto& tab = tables[static_cast<std::size_t>(pb.first_step)];
      const std::uint64_t key = posts[pb.post].key;
      const bool account = !net.is_citizen(pb.audience);
      const std::vector<std::uint64_t>* filter =
          account ? &accounts[pb.audience - n].follows : nullptr;
      const std::uint64_t stop = std::min(end, prefix[src + 1]);
      const bool need_feed = pb.reach < 1.0;
      // Every follower sees it at age 0 whatever the draw (the least active one included).
      const bool at_once =
          !need_feed && static_cast<double>(min_activity) * tab[0] >= kMaxExposureDraw;
      std::int64_t scheduled = 0;
      const std::uint64_t stop_i = stop - prefix[src];
      for (std::uint64_t i = pos - prefix[src]; i < stop_i; ++i) {
        if (i + kPrefetch < stop_i) {
          const NodeId v = so.audience[i + kPrefetch];
          if (!at_once) __builtin_prefetch(&activity[std::min(v, n - 1)]);
          if (filter) __builtin_prefetch(&(*filter)[std::min(v, n - 1) / 64]);
        }
        const NodeId u = so.audience[i];
        if (!net.is_citizen(u) || (filter && !test(*filter, u))) continue;
        std::int64_t j = 0;
        if (!at_once) {
          const double act = activity[u];
          if (need_feed || !(act * tab[0] >= kMaxExposureDraw)) {
            const auto w = random_words(id(Purpose::exposure, key, u, pb.audience));
            if (to_unit(w[0]) >= pb.reach) continue;
            j = exposure_age(tab, act, -std::log(to_unit_open0(w[1])));
          }
        }
        if (j < 0 || pb.first_step + j >= n_steps) continue;
        const auto slot =
            static_cast<std::uint32_t>(static_cast<std::uint64_t>(pb.first_step + j) % ring_size);
        ++st.per_slot[slot];
        st.items.push_back({slot, Exposure{pb.post, u, pb.audience, pb.depth}});
        ++scheduled;
      }
      if (scheduled > 0) {
        if (!st.per_post.empty() && st.per_post.back().first == pb.post)
          st.per_post.back().second += scheduled;
        else
          st.per_post.emplace_back(pb.post, scheduled);
      }
      pos = stop;
    }
  }
  // Ring positions of every chunk's staged exposures, in chunk order, then a parallel copy.
  std::vector<std::size_t> fill(ring_size);
  for (std::size_t s = 0; s < ring_size; ++s) fill[s] = ring[s].items.size();
  for (std::size_t t = 0; t < static_cast<std::size_t>(n_tasks); ++t) {
    for (std::size_t slot = 0; slot < ring_size; ++slot) {
      const std::uint32_t k = staged[t].per_slot[slot];
      staged[t].per_slot[slot] = static_cast<std::uint32_t>(fill[slot]);  // now its first index
      fill[slot] += k;
    }
    for (const auto& [post, k] : staged[t].per_post) {
      add_pending(post, k);
    }
  }
  for (std::size_t s = 0; s < ring_size; ++s) ring[s].items.resize(fill[s]);
#pragma omp parallel for schedule(dynamic, 1) if (n_tasks > 1)
  for (std::int64_t t = 0; t < n_tasks; ++t) {
    auto& st = staged[static_cast<std::size_t>(t)];
    for (const auto& [slot, e] : st.items) ring[slot].items[st.per_slot[slot]++] = e;
  }
}

namespace {

std::int64_t steps_for(double hours, double step_hours) {
  return static_cast<std::int64_t>(std::ceil(hours / step_hours - 1e-9));
}

}  // namespace

void Simulation::State::apply_events(StepRecord& rec) {
  const double dt = sc.time.step_hours;
  std::vector<NodeId> local;
  for (std::size_t ei = 0; ei < sc.events.size(); ++ei) {
    const Event& ev = sc.events[ei];
    if (static_cast<std::int64_t>(std::floor(ev.at_hours / dt + 1e-9)) != step) continue;
    std::vector<std::size_t> regions_hit;
    for (std::size_t r = 0; r < n_regions; ++r)
      if (ev.region.empty() || ev.region == sc.regions[r].name) regions_hit.push_back(r);
    std::vector<std::size_t> accounts_hit;
    for (const std::size_t a : government)
      if (ev.account.empty() || ev.account == sc.accounts[a].name) accounts_hit.push_back(a);

    switch (ev.type) {
      case EventType::shock: {
        std::vector<NodeId> hit;
        for (const std::size_t r : regions_hit) {
          surge[r] = ev.ask_surge;
          surge_until[r] = step + steps_for(ev.surge_hours, dt);
          const auto first = static_cast<NodeId>(region_first[r]);
          for (NodeId u = first; u < first + region_size[r]; ++u) {
            excess[u] += ev.concern_jump * (1.0 - concern(u));
            hit.push_back(u);
          }
        }
        merge_into(concerned, hit);
        break;
      }
      case EventType::rumour: {
        for (const std::size_t r : regions_hit) {
          const auto size = static_cast<std::uint64_t>(region_size[r]);
          const auto want = std::min<std::uint64_t>(static_cast<std::uint64_t>(ev.seeds), size);
          std::vector<NodeId> seeds;
          for (std::uint64_t k = 0; seeds.size() < want; ++k) {
            const auto w = random_words(
                id(Purpose::rumour_seed, static_cast<std::uint64_t>(step), ei * 256 + r, k));
            const auto u = static_cast<NodeId>(region_first[r] + to_index(w[0], size));
            if (!std::count(seeds.begin(), seeds.end(), u)) seeds.push_back(u);
          }
          for (const NodeId u : seeds) {
            std::atomic_ref<std::uint8_t>(ev_flags[u]).fetch_or(kBelieve);
            touch(u, local);
          }
        }
        for (const std::size_t a : government)
          if (accounts[a].strategy == Strategy::dialogue)
            accounts[a].corrections.push_back(step +
                                              steps_for(sc.accounts[a].detection_delay_hours, dt));
        break;
      }
      case EventType::strategy_change:
        for (const std::size_t a : accounts_hit) accounts[a].strategy = ev.strategy;
        break;
      case EventType::capacity_change:
        for (const std::size_t a : accounts_hit) accounts[a].capacity_fte = ev.capacity_fte;
        break;
      case EventType::platform_change:
        organic_reach = ev.organic_reach;
        break;
      case EventType::post:
        for (const std::size_t a : accounts_hit) {
          auto& acc = accounts[a];
          const auto p = new_post(ev.post_type, static_cast<std::int32_t>(a), a,
                                  (std::uint64_t{1} << 25) | acc.specials++);
          publish(p, acc.node, std::min(1.0, organic_reach), step, 0);
          rec[Series::posts] += 1;
          rec[Series::staff_hours] += sc.accounts[a].post_minutes / 60.0;
        }
        break;
    }
  }
  touched.insert(touched.end(), local.begin(), local.end());
}

void Simulation::State::government_posts(StepRecord& rec) {
  const double dt = sc.time.step_hours;
  for (const std::size_t a : government) {
    auto& acc = accounts[a];
    const AccountParams& p = sc.accounts[a];
    const auto special = [&](PostType type, double post_reach) {
      const auto post = new_post(type, static_cast<std::int32_t>(a), a,
                                 (std::uint64_t{1} << 25) | acc.specials++);
      publish(post, acc.node, std::min(1.0, post_reach), step, 0);
      rec[Series::posts] += 1;
      rec[Series::staff_hours] += p.post_minutes / 60.0;
    };
    const std::uint64_t due = posts_due(p.posts_per_day, dt, step);
    for (std::uint64_t i = 0; i < due; ++i) {
      const std::uint64_t seq = acc.scheduled_posts++;
      const bool consult =
          acc.strategy == Strategy::dialogue && is_consultation(seq, p.consultation_share);
      const auto post = new_post(consult ? PostType::consultation : PostType::information,
                                 static_cast<std::int32_t>(a), a, seq);
      posts[post].scheduled = true;
      publish(post, acc.node, std::min(1.0, organic_reach), step, 0);
      rec[Series::posts] += 1;
      rec[Series::staff_hours] += p.post_minutes / 60.0;
      if (consult)
        acc.acknowledgements.emplace_back(step + steps_for(p.acknowledge_after_hours, dt), post);
    }
    // Rumour corrections (dialogue), after the detection delay.
    const auto due_now = [&](std::int64_t s) { return s <= step; };
    const auto n_corr = std::count_if(acc.corrections.begin(), acc.corrections.end(), due_now);
    std::erase_if(acc.corrections, due_now);
    for (std::int64_t i = 0; i < n_corr; ++i)
      if (acc.strategy == Strategy::dialogue)
        special(PostType::correction, organic_reach * p.correction_boost);
    // Public thanks to a consultation's contributors.
    std::vector<NodeId> local;
    for (const auto& [when, post] : acc.acknowledgements) {
      if (when > step || acc.strategy != Strategy::dialogue) continue;
      special(PostType::reply, organic_reach);
      for (const NodeId u : posts[post].contributors) {
        ++ev_acknowledged[u];
        touch(u, local);
      }
    }
    std::erase_if(acc.acknowledgements, [&](const auto& x) { return x.first <= step; });
    touched.insert(touched.end(), local.begin(), local.end());
  }
}

void Simulation::State::process_queues(StepRecord& rec, std::vector<double>& response) {
  const double dt = sc.time.step_hours;
  std::vector<NodeId> local;
  // Complaints and replies of all accounts, published together at the end in the order they were
  // made (the ring then holds what one publish call per post would have put there): thousands of
  // one-post publish calls a step each paid for a pass over the ring's slots.
  std::vector<Publication> pubs;
  for (const std::size_t a : government) {
    auto& acc = accounts[a];
    const AccountParams& p = sc.accounts[a];
    auto& queue = acc.queue;
    const bool fifo = p.queue == QueueDiscipline::fifo;
    // Askers whose patience ran out give up: listed in queue order, in chunks, with whether each
    // complains (drawn here).
    const auto complains = [&](const Question& q) {
      const auto w =
          random_words(id(Purpose::answer, static_cast<std::uint64_t>(q.asked), q.asker));
      return to_unit(w[1]) < sc.questions.complaint_probability;
    };
    auto& chunks = give_up_chunks;
    std::size_t n_chunks = 0;
    if (fifo) {
      auto& due = due_scratch;
      due.clear();
      queue.take_expired(step, due);
      std::sort(due.begin(), due.end());  // one deadline's list is already in order
      // A few hundred thousand questions wait, and the due ones are scattered among them: chunks
      // of the due list are looked up in parallel (sorted, each chunk's questions lie together).
      const auto m = static_cast<std::int64_t>(due.size());
      n_chunks = static_cast<std::size_t>((m + kGiveUpChunk - 1) / kGiveUpChunk);
      if (chunks.size() < n_chunks) chunks.resize(n_chunks);
      if (n_chunks > 0)
#pragma omp parallel for schedule(dynamic, 1) if (n_chunks > 1)
        for (std::int64_t c = 0; c < static_cast<std::int64_t>(n_chunks); ++c) {
          // Filled in a local vector (which takes over the chunk's memory): the vector objects
          // of neighbouring chunks share cache lines.
          std::vector<GiveUp> out;
          out.swap(chunks[static_cast<std::size_t>(c)]);
          out.clear();
          const auto end = static_cast<std::size_t>(std::min(m, (c + 1) * kGiveUpChunk));
          for (auto i = static_cast<std::size_t>(c * kGiveUpChunk); i < end; ++i) {
            if (i + kPrefetch < end && due[i + kPrefetch] >= queue.front_seq)
              __builtin_prefetch(&queue[due[i + kPrefetch] - queue.front_seq]);
            if (due[i] < queue.front_seq) continue;  // answered
            Question& q = queue[due[i] - queue.front_seq];
            if (q.deadline == Question::kGone) continue;
            out.push_back({q.asker, q.asked, complains(q)});
            q.deadline = Question::kGone;
          }
          out.swap(chunks[static_cast<std::size_t>(c)]);
        }
      queue.drop_gone_front();
    } else {
      // One pass lists the give-ups and closes the gaps they leave (keeping the order).
      n_chunks = 1;
      if (chunks.empty()) chunks.resize(1);
      chunks[0].clear();
      std::size_t kept = 0;
      for (std::size_t i = 0; i < queue.size(); ++i) {
        const Question& q = queue[i];
        if (q.deadline > step) {
          if (kept != i) queue[kept] = q;
          ++kept;
          continue;
        }
        chunks[0].push_back({q.asker, q.asked, complains(q)});
      }
      queue.items.resize(kept);
    }
    // Each give-up's bookkeeping, and the complaint posts, in queue order. Done in parallel, the
    // bit updates made two threads share the cache lines of the bitmaps (it took as long on two
    // threads as on one); serial, it is a few nanoseconds each.
    std::size_t n_gone = 0;
    for (std::size_t c = 0; c < n_chunks; ++c) {
      const auto& gone = chunks[c];
      for (std::size_t i = 0; i < gone.size(); ++i) {
        if (i + kPrefetch < gone.size()) __builtin_prefetch(&ev_ignored[gone[i + kPrefetch].asker]);
        const GiveUp& g = gone[i];
        ++ev_ignored[g.asker];
        touch(g.asker, local);
        set_bit(pending_question, g.asker, false);
        if (!g.complains) continue;
        const auto post =
            new_post(PostType::complaint, -1, g.asker, static_cast<std::uint64_t>(g.asked));
        pubs.push_back({post, g.asker, sc.platform.citizen_reach, step, 0});
        rec[Series::complaints] += 1;
      }
      n_gone += gone.size();
    }
    queue.open -= n_gone;
    rec[Series::questions_unanswered] += static_cast<double>(n_gone);

    if (acc.strategy == Strategy::broadcast || !office_open(p, sc.time, step)) continue;
    acc.budget += acc.capacity_fte * p.replies_per_fte_hour * dt;
    const auto k =
        std::min<std::size_t>(static_cast<std::size_t>(std::floor(acc.budget + 1e-9)), queue.open);
    // Queue discipline; ties broken by asking time, then asker id, so the order is total.
    const auto before = [&](const Question& x, const Question& y) {
      switch (p.queue) {
        case QueueDiscipline::most_followers:
          if (x.asker_followers != y.asker_followers) return x.asker_followers > y.asker_followers;
          break;
        case QueueDiscipline::most_urgent:
          if (x.urgency != y.urgency) return x.urgency > y.urgency;
          break;
        case QueueDiscipline::fifo:
          break;
      }
      return std::tie(x.asked, x.asker) < std::tie(y.asked, y.asker);
    };
    // A fifo queue is in (asked, asker) order already: questions join it in step order and, within
    // a step, in asker order, and nothing reorders it; its first k open ones are the ones to
    // answer. Other disciplines bring theirs to the front.
    if (!fifo)
      std::partial_sort(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(k), queue.end(),
                        before);
    for (std::size_t i = 0; i < k; ++i) {
      queue.drop_gone_front();  // (a fifo queue's gaps)
      const Question q = queue.front();
      queue.pop_front();
      --queue.open;
      assert(queue.size() == 0 || queue.front().deadline == Question::kGone ||
             before(q, queue.front()));
      response.push_back(static_cast<double>(step - q.asked) * dt);
      set_bit(pending_question, q.asker, false);
      touch(q.asker, local);
      const auto w =
          random_words(id(Purpose::answer, static_cast<std::uint64_t>(q.asked), q.asker));
      if (to_unit(w[0]) < p.privacy_redirect) {
        ++ev_redirected[q.asker];
        rec[Series::questions_redirected] += 1;
      } else {
        ++ev_answered[q.asker];
        rec[Series::questions_answered] += 1;
        const auto post = new_post(PostType::reply, static_cast<std::int32_t>(a), q.asker,
                                   static_cast<std::uint64_t>(q.asked));
        pubs.push_back({post, q.asker, std::min(1.0, organic_reach), step, 0});
      }
    }
    queue.drop_gone_front();
    acc.budget -= static_cast<double>(k);
    if (queue.open == 0) acc.budget -= std::floor(acc.budget + 1e-9);  // unused time is lost
    rec[Series::staff_hours] += static_cast<double>(k) / p.replies_per_fte_hour;
  }
  publish_all(pubs);
  touched.insert(touched.end(), local.begin(), local.end());
}

void Simulation::State::rumour_contacts(std::vector<NodeId>& out_touched) {
  // Maki-Thompson / Daley-Kendall: each spreader contacts one random follower with probability
  // `spreading` per step. States are read as they were at the start of the step.
  if (informed.empty()) return;
  const auto m = static_cast<std::int64_t>(informed.size());
  const bool dk = sc.rumour.model == RumourModel::daley_kendall;
  const auto flag = [&](NodeId u, std::uint8_t f, std::vector<NodeId>& local) {
    std::atomic_ref<std::uint8_t>(ev_flags[u]).fetch_or(f, std::memory_order_relaxed);
    touch(u, local);
  };
#pragma omp parallel if (m > kTask)
  {
    std::vector<NodeId> local;
#pragma omp for schedule(static, task_size(static_cast <std::uint64_t>(m))) nowait
    for (std::int64_t i = 0; i < m; ++i) {
      const NodeId u = informed[static_cast<std::size_t>(i)];
      if (rumour[u] != kBeliever) continue;
      const auto w = random_words(id(Purpose::rumour_contact, static_cast<std::uint64_t>(step), u));
      if (to_unit(w[0]) >= sc.rumour.spreading) continue;
      const auto fl = net.followers(u);
      if (fl.empty()) continue;
      const NodeId target = fl[to_index(w[1], fl.size())];
      if (!net.is_citizen(target)) continue;
      if (rumour[target] == kUnaware) {
        flag(target, kBelieve, local);
      } else if (!dk || rumour[target] != kBeliever) {
        flag(u, kReject, local);  // MT: the initiator stops; DK: a spreader meeting a stifler
      } else if (to_unit(w[2]) < 0.5) {
        // DK: two spreaders meeting both stop. Contacts here are pushed by each spreader, so a
        // pair of spreaders meets twice as often as Daley-Kendall's pair rate; half the ordered
        // contacts stop both, which gives DK's removal rate.
        flag(u, kReject, local);
        flag(target, kReject, local);
      }
    }
#pragma omp critical(civsim_contacts)
    out_touched.insert(out_touched.end(), local.begin(), local.end());
  }
}

void Simulation::State::deliver(StepRecord& rec) {
  auto& bucket = ring[static_cast<std::size_t>(step % static_cast<std::int64_t>(ring.size()))];
  if (bucket.items.empty() && bucket.runs.empty()) return;
  const auto m = static_cast<std::int64_t>(bucket.items.size());
  struct Share {
    std::uint32_t post;
    NodeId u;
    std::uint32_t depth;
  };
  std::vector<Share> shares;
  std::vector<std::pair<std::uint32_t, NodeId>> follow_c, unfollow_c, contrib_c;
  std::vector<NodeId> new_touched, unreached;
  std::vector<std::int64_t> region_new(n_regions, 0);
  std::uint64_t impressions = 0, likes = 0, comments = 0, new_reach = 0, new_engagers = 0,
                new_corrected = 0;
  const auto& rp = sc.reactions;
  const auto& dp = sc.diffusion;
  const bool threshold_model = is_threshold_model(dp.model);

  // Draws are made only when a decision depends on them: a probability <= 0 or >= 1 decides
  // without its uniform (to_unit is in [0, 1)), and a draw no decision reads is not made at all.
  // Every draw is a pure function of its identity, so skipping one changes nothing else.
  const auto chance = [](double prob, auto&& word) {
    if (prob <= 0) return false;
    if (prob >= 1) return true;
    return to_unit(word()) < prob;
  };
  // Whether u reshares post p, given its reshare word and trust multiplier (both on demand).
  const auto reshares = [&](Post& p, NodeId u, auto&& word, auto&& tm) {
    if (test(resharers, u) && is_sharer(p, u)) return false;
    if (threshold_model && !p.seen.empty()) {
      const auto c = atomic_add(p.seen[u], std::uint16_t{1}) + 1u;
      std::uint64_t need = 1;
      if (dp.model == DiffusionModel::complex_contagion) {
        need = static_cast<std::uint64_t>(dp.contagion_k);
      } else {
        const double theta = dp.model == DiffusionModel::fractional_threshold
                                 ? dp.threshold
                                 : to_unit(random_words(id(Purpose::threshold, p.key, u))[0]);
        need = std::max<std::uint64_t>(
            1, static_cast<std::uint64_t>(std::ceil(theta * followees[u] - 1e-9)));
      }
      return c == need;
    }
    const bool gov = is_government_type(p.type);
    const bool ruled = p.type != PostType::reply && p.type != PostType::complaint;
    double base = dp.reshare_probability;
    if (ruled && dp.model == DiffusionModel::weighted_cascade)
      base = followees[u] ? 1.0 / followees[u] : 0.0;
    const double prob = base * rp.by_type[static_cast<std::size_t>(p.type)].reshare;
    if (prob <= 0) return false;  // the product with a trust multiplier (>= 0) is <= 0 too
    return chance(prob * (gov ? tm() : 1.0), word);
  };

  const bool one_region = n_regions == 1;  // then region[u] need not be read
  const bool prefetch_trust = rp.trust_sensitivity != 0;
  bool prefetch_concern = false;
  for (const Reaction& re : rp.by_type) prefetch_concern = prefetch_concern || re.comment > 0;
  // Citizens are visited in a random order: fetch the state of a later one early.
  const auto prefetch = [&](const Post& pa, NodeId v) {
    __builtin_prefetch(&exposed[v / 64]);
    __builtin_prefetch(&resharers[v / 64]);
    if (!one_region) __builtin_prefetch(&region[v]);
    if (prefetch_trust) __builtin_prefetch(&trust[v]);
    if (prefetch_concern) {
      __builtin_prefetch(&concern_base[v]);
      __builtin_prefetch(&excess[v]);
    }
    if (!pa.sharer_bits.empty()) __builtin_prefetch(&pa.sharer_bits[v / 64]);
    if (pa.account >= 0)
      __builtin_prefetch(&accounts[static_cast<std::size_t>(pa.account)].follows[v / 64]);
  };

  // For a post whose exposures decide nothing but the reshare (no likes or comments, no per-type
  // bookkeeping, no follow or unfollow draws, a reshare probability that does not depend on the
  // follower but through trust): that probability before the trust multiplier; else -1.
  const auto reshare_only = [&](const Post& p, NodeId source) {
    if (p.type != PostType::information || threshold_model ||
        dp.model == DiffusionModel::weighted_cascade)
      return -1.0;
    const Reaction& re = rp.by_type[static_cast<std::size_t>(p.type)];
    const auto& fp = sc.following;
    const bool from_account = source == accounts[static_cast<std::size_t>(p.account)].node;
    if (re.like > 0 || re.comment > 0 || fp.follow_probability > 0 ||
        (from_account && (fp.unfollow_probability > 0 || fp.fatigue_unfollow > 0)))
      return -1.0;
    return dp.reshare_probability * re.reshare;
  };

  // The work: tasks (task_size of the step's exposures) of materialised exposures, then groups of
  // about a task's followers from consecutive follower runs, a large run split into pieces of a
  // task's followers so that a large audience is split across threads. Apart from the threshold
  // rules, delivering an exposure reads nothing another exposure of the step writes, except
  // through order-free atomics and lists sorted afterwards, so the order does not matter.
  struct Piece {
    std::uint32_t run;
    std::uint32_t begin, end;
  };
  std::vector<Piece> pieces;
  std::uint64_t run_exposures = 0;
  for (const FollowerRun& run : bucket.runs) run_exposures += run.count;
  const std::int64_t task = task_size(static_cast<std::uint64_t>(m) + run_exposures);
  for (std::size_t r = 0; r < bucket.runs.size(); ++r) {
    const FollowerRun& run = bucket.runs[r];
    for (std::uint32_t b = 0; b < run.count; b += static_cast<std::uint32_t>(task))
      pieces.push_back({static_cast<std::uint32_t>(r), b,
                        std::min(run.count, b + static_cast<std::uint32_t>(task))});
    if ((posts[run.post].pending -= run.count) == 0) drained.push_back(run.post);
  }
  std::vector<std::size_t> group_start{0};  // pieces of group g: [group_start[g], [g + 1])
  std::uint64_t in_group = 0;
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    in_group += pieces[k].end - pieces[k].begin;
    if (in_group >= static_cast<std::uint64_t>(task) || k + 1 == pieces.size()) {
      group_start.push_back(k + 1);
      in_group = 0;
    }
  }
  const std::int64_t item_chunks = (m + task - 1) / task;
  const auto n_tasks = item_chunks + static_cast<std::int64_t>(group_start.size() - 1);
  // Threshold models deliver in ring order on one thread: the exposure that brings a citizen's
  // count of sharers seen to the threshold is the one that reshares, and its draws (following)
  // and depth then depend on the order, which a parallel loop would leave to thread timing.
  // (They have no follower runs.) A parallel delivery has fixed costs (per-thread lists, the
  // reached candidates marked after the loop) that fewer than kChunk exposures do not repay: the
  // cascade benchmark's fifth hop took 0.27 instead of 0.15 ms on two threads with kTask here.
#pragma omp parallel if (static_cast <std::uint64_t>(m) + run_exposures > \
                             static_cast <std::uint64_t>(kChunk) &&       \
                         !threshold_model)
  {
    std::vector<Share> l_shares;
    std::vector<std::pair<std::uint32_t, NodeId>> l_follow, l_unfollow, l_contrib;
    std::vector<NodeId> l_touched, l_unreached;
    std::vector<std::uint32_t> l_drained;
    std::vector<std::int64_t> l_region(n_regions, 0);
    std::uint64_t l_imp = 0, l_likes = 0, l_comments = 0, l_reach = 0, l_eng = 0, l_corr = 0;
    // Marking a citizen reached. A team of one thread (one thread, or a small step) has no other
    // writer of the bitmap: a plain read-modify-write marks and counts at once. In a team of
    // several, a locked one per first exposure (most exposures of a large audience) would cost
    // more than the rest of the exposure and wait for the prefetches in flight, so candidates
    // (not yet marked when read) are listed and marked and counted after the loop.
    const bool alone = omp_get_num_threads() == 1;
    const auto reached = [&](NodeId u) {
      if (test(exposed, u)) return;
      if (!alone) {
        l_unreached.push_back(u);
        return;
      }
      set_bit(exposed, u, true);
      ++l_reach, ++l_region[one_region ? 0 : region[u]];
    };
    // The followers f[begin, end) of a run (sorted ids, so a large audience has many in each
    // word of the bitmap), in a team: one locked or per word they share. (Alone, they are marked
    // as they are visited.)
    const auto reached_run = [&](const NodeId* f, std::uint32_t begin, std::uint32_t end) {
      for (std::uint32_t i = begin; i < end;) {
        const std::uint32_t w = f[i] / 64;
        std::uint64_t mask = 0;
        std::uint32_t j = i;
        for (; j < end && f[j] / 64 == w; ++j) mask |= std::uint64_t{1} << (f[j] % 64);
        if (j - i == 1) {
          reached(f[i++]);
          continue;
        }
        i = j;
        std::atomic_ref<std::uint64_t> word(exposed[w]);
        if ((word.load(std::memory_order_relaxed) & mask) == mask) continue;
        std::uint64_t fresh = mask & ~word.fetch_or(mask, std::memory_order_relaxed);
        l_reach += static_cast<std::uint64_t>(std::popcount(fresh));
        if (one_region) {
          l_region[0] += std::popcount(fresh);
          continue;
        }
        for (; fresh; fresh &= fresh - 1)
          ++l_region[region[w * 64 + static_cast<std::uint32_t>(std::countr_zero(fresh))]];
      }
    };
    const auto flag = [&](NodeId u, std::uint8_t f) {
      std::atomic_ref<std::uint8_t>(ev_flags[u]).fetch_or(f, std::memory_order_relaxed);
      touch(u, l_touched);
    };
    // A post's engagement count (read only after the loop), added up while the thread stays on
    // one post: an atomic add per engagement kept the line of a popular post bouncing between
    // the threads.
    std::uint32_t eng_post = 0;
    std::uint64_t eng_count = 0;
    const auto engage = [&](std::uint32_t post, std::uint64_t k) {
      if (post != eng_post) {
        if (eng_count) atomic_add(posts[eng_post].engagement, eng_count);
        eng_post = post;
        eng_count = 0;
      }
      eng_count += k;
    };
    const auto count = [&](std::vector<std::uint16_t>& ev, NodeId u) {
      atomic_add(ev[u], std::uint16_t{1});
      touch(u, l_touched);
    };
    // Delivers one exposure (inlined: it is the inner loop of both kinds of task); `mark` false
    // when the citizen was marked reached already.
    const auto visit = [&](const Exposure& e, bool mark) __attribute__((always_inline)) {
      Post& p = posts[e.post];
      const NodeId u = e.u;
      // The reaction and exposure words of this (post, follower, sharer), drawn on demand.
      std::array<std::uint64_t, 4> r{}, w{};
      bool have_r = false, have_w = false;
      const auto rw = [&](int k) {
        if (!have_r) r = random_words(id(Purpose::reaction, p.key, u, e.source)), have_r = true;
        return r[static_cast<std::size_t>(k)];
      };
      const auto ww = [&](int k) {
        if (!have_w) w = random_words(id(Purpose::exposure, p.key, u, e.source)), have_w = true;
        return w[static_cast<std::size_t>(k)];
      };
      if (p.type == PostType::rumour) {
        if (sc.rumour.model != RumourModel::hoax || rumour[u] != kUnaware) return;
        const double g = std::clamp(
            sc.rumour.gullibility * (1.0 + sc.rumour.gullibility_trust * (1.0 - 2.0 * trust[u])),
            0.0, 1.0);
        if (chance(g, [&] { return rw(2); })) flag(u, kBelieve);
        return;
      }
      if (p.type == PostType::complaint) {
        count(ev_complaint, u);
        if (reshares(
                p, u, [&] { return rw(0); }, [] { return 1.0; }))
          l_shares.push_back({e.post, u, e.depth + 1});
        return;
      }
      ++l_imp;
      if (mark) reached(u);
      const Reaction& re = rp.by_type[static_cast<std::size_t>(p.type)];
      // The trust multiplier, read on demand (with trust_sensitivity 0 it is 1 for any trust).
      double tm_value = -1;
      const auto tm = [&] {
        if (tm_value < 0)
          tm_value = rp.trust_sensitivity == 0
                         ? 1.0
                         : std::max(0.0, trust_multiplier(rp.trust_sensitivity, trust[u]));
        return tm_value;
      };
      // A zero base probability decides without the multiplier (which is finite and >= 0 for
      // likes, and >= 0 for comments as concern_sensitivity >= 0).
      const bool like = re.like > 0 && chance(re.like * tm(), [&] { return ww(2); });
      const bool comment =
          re.comment > 0 &&
          chance(re.comment * (1.0 + rp.concern_sensitivity * concern(u)), [&] { return ww(3); });
      const bool share = reshares(
          p, u, [&] { return rw(0); }, tm);
      l_likes += like;
      l_comments += comment;
      if (share) l_shares.push_back({e.post, u, e.depth + 1});
      if (like || comment || share) {
        engage(e.post, std::uint64_t{like} + comment + share);
        if (test_and_set(engaged, u)) ++l_eng;
      }
      if (p.type == PostType::reply) count(ev_reply, u);
      if (p.type == PostType::correction) {
        count(ev_correction, u);
        if (test_and_set(corrected, u)) ++l_corr;
        if (rumour[u] != kSceptic &&
            chance(sc.rumour.correction_verification, [&] { return rw(2); }))
          flag(u, kReject);
      }
      if (p.type == PostType::consultation && comment) l_contrib.emplace_back(e.post, u);
      const auto a = static_cast<std::size_t>(p.account);
      const auto& fp = sc.following;
      // Whether u follows the account is looked up only when a follow or unfollow is possible.
      const bool from_account = e.source == accounts[a].node;
      if (!((like || share) && fp.follow_probability > 0) &&
          !(from_account && (fp.unfollow_probability > 0 || fp.fatigue_unfollow > 0)))
        return;
      if (!follows(a, u)) {
        if ((like || share) && chance(fp.follow_probability, [&] { return rw(1); }))
          l_follow.emplace_back(static_cast<std::uint32_t>(a), u);
      } else if (from_account) {
        const bool low = trust[u] < fp.unfollow_threshold;
        if ((low && chance(fp.unfollow_probability, [&] { return rw(1); })) ||
            (!low && !(like || comment || share) &&
             chance(fp.fatigue_unfollow, [&] { return rw(1); })))
          l_unfollow.emplace_back(static_cast<std::uint32_t>(a), u);
      }
    };
#pragma omp for schedule(dynamic, 1) nowait
    for (std::int64_t t = 0; t < n_tasks; ++t) {
      if (t < item_chunks) {
        // Delivered exposures of the current run of one post, subtracted from its pending count
        // when the post changes (exposures of a post are mostly contiguous in the ring).
        std::uint32_t run_post = 0;
        std::int64_t run_count = 0;
        const auto delivered = [&] {
          if (run_count && atomic_add(posts[run_post].pending, -run_count) == run_count)
            l_drained.push_back(run_post);
        };
        const std::int64_t end = std::min(m, (t + 1) * task);
        for (std::int64_t i = t * task; i < end; ++i) {
          if (i + kPrefetch < m) {
            const Exposure& ahead = bucket.items[static_cast<std::size_t>(i + kPrefetch)];
            prefetch(posts[ahead.post], ahead.u);
          }
          const Exposure& e = bucket.items[static_cast<std::size_t>(i)];
          if (e.post != run_post) {
            delivered();
            run_post = e.post;
            run_count = 0;
          }
          ++run_count;
          visit(e, true);
        }
        delivered();
      } else {
        const std::size_t a = group_start[static_cast<std::size_t>(t - item_chunks)];
        const std::size_t b = group_start[static_cast<std::size_t>(t - item_chunks) + 1];
        // Runs are mostly a few dozen followers of a random citizen: a cursor kPrefetch
        // exposures ahead, across runs, fetches the state of its citizen, and on entering a
        // piece, the follower list of the next one.
        std::size_t ap = a;
        std::uint32_t ai = pieces[a].begin;
        const auto fetch_list = [&](std::size_t k) {
          if (k >= b) return;
          // Its first cache lines (a citizen's few dozen followers; the hardware prefetcher
          // follows a longer list).
          const NodeId* f = bucket.runs[pieces[k].run].followers;
          const std::uint32_t end = std::min(pieces[k].end, pieces[k].begin + 64);
          for (std::uint32_t i = pieces[k].begin; i < end; i += 16) __builtin_prefetch(f + i);
        };
        const auto ahead = [&] {
          if (ap == b) return;
          const FollowerRun& q = bucket.runs[pieces[ap].run];
          prefetch(posts[q.post], q.followers[ai]);
          if (++ai == pieces[ap].end && ++ap < b) {
            ai = pieces[ap].begin;
            fetch_list(ap + 1);
          }
        };
        fetch_list(a + 1);
        for (std::int64_t k = 0; k < kPrefetch; ++k) ahead();
        for (std::size_t k = a; k < b; ++k) {
          const FollowerRun& run = bucket.runs[pieces[k].run];
          Post& p = posts[run.post];
          // (Rumours and complaints are not government content: they reach no one.)
          // Followers of a large account share bitmap words: in a team they are marked one word
          // at a time first. A sparse run (most citizens' followers) is marked as it is visited.
          const std::uint32_t pb = pieces[k].begin, pe = pieces[k].end;
          const bool per_word =
              !alone && pe - pb > 1 && run.followers[pe - 1] - run.followers[pb] < 8 * (pe - pb);
          if (per_word && p.type != PostType::rumour && p.type != PostType::complaint)
            reached_run(run.followers, pb, pe);
          if (const double prob = reshare_only(p, run.source); prob >= 0) {
            // Only the reshare is decided per follower: visit's decisions for this post and
            // source, taken once, with the same draws (so the same results).
            const bool gov = is_government_type(p.type);
            l_imp += pieces[k].end - pieces[k].begin;
            for (std::uint32_t i = pieces[k].begin; i < pieces[k].end; ++i) {
              ahead();
              const NodeId u = run.followers[i];
              if (!per_word) reached(u);
              if (prob <= 0 || (test(resharers, u) && is_sharer(p, u))) continue;
              const double tm =
                  !gov || rp.trust_sensitivity == 0
                      ? 1.0
                      : std::max(0.0, trust_multiplier(rp.trust_sensitivity, trust[u]));
              if (!chance(prob * tm, [&] {
                    return random_words(id(Purpose::reaction, p.key, u, run.source))[0];
                  }))
                continue;
              l_shares.push_back({run.post, u, run.depth + 1});
              engage(run.post, 1);
              if (test_and_set(engaged, u)) ++l_eng;
            }
            continue;
          }
          for (std::uint32_t i = pieces[k].begin; i < pieces[k].end; ++i) {
            ahead();
            visit(Exposure{run.post, run.followers[i], run.source, run.depth}, !per_word);
          }
        }
      }
    }
    if (eng_count) atomic_add(posts[eng_post].engagement, eng_count);
#pragma omp critical(civsim_deliver)
    {
      shares.insert(shares.end(), l_shares.begin(), l_shares.end());
      follow_c.insert(follow_c.end(), l_follow.begin(), l_follow.end());
      unfollow_c.insert(unfollow_c.end(), l_unfollow.begin(), l_unfollow.end());
      contrib_c.insert(contrib_c.end(), l_contrib.begin(), l_contrib.end());
      new_touched.insert(new_touched.end(), l_touched.begin(), l_touched.end());
      unreached.insert(unreached.end(), l_unreached.begin(), l_unreached.end());
      drained.insert(drained.end(), l_drained.begin(), l_drained.end());
      for (std::size_t r = 0; r < n_regions; ++r) region_new[r] += l_region[r];
      impressions += l_imp, likes += l_likes, comments += l_comments;
      new_reach += l_reach, new_engagers += l_eng, new_corrected += l_corr;
    }
  }
  for (const NodeId u : unreached)
    if (!test(exposed, u)) {
      set_bit(exposed, u, true);
      ++new_reach, ++region_new[one_region ? 0 : region[u]];
    }
  bucket.items.clear();
  bucket.runs.clear();
  touched.insert(touched.end(), new_touched.begin(), new_touched.end());
  rec[Series::impressions] += static_cast<double>(impressions);
  rec[Series::likes] += static_cast<double>(likes);
  rec[Series::comments] += static_cast<double>(comments);
  rec[Series::new_reach] += static_cast<double>(new_reach);
  reach += new_reach;
  engagers += new_engagers;
  correction_reach += new_corrected;
  for (std::size_t r = 0; r < n_regions; ++r) region_reach[r] += region_new[r];

  // Reshares: one per (post, citizen), at the shallowest depth any sharer offered; each becomes
  // a new source from the next step on.
  std::sort(shares.begin(), shares.end(), [](const Share& x, const Share& y) {
    return std::tie(x.post, x.u, x.depth) < std::tie(y.post, y.u, y.depth);
  });
  shares.erase(
      std::unique(shares.begin(), shares.end(),
                  [](const Share& x, const Share& y) { return x.post == y.post && x.u == y.u; }),
      shares.end());
  for (std::size_t i = 0; i < shares.size();) {
    std::size_t j = i;
    std::vector<NodeId> add;
    Post& p = posts[shares[i].post];
    for (; j < shares.size() && shares[j].post == shares[i].post; ++j) {
      add.push_back(shares[j].u);
      p.max_depth = std::max(p.max_depth, shares[j].depth);
    }
    add_sharers(p, add, n);
    for (const NodeId u : add) set_bit(resharers, u, true);
    p.n_sharers += add.size();
    if (is_government_type(p.type)) rec[Series::reshares] += static_cast<double>(add.size());
    i = j;
  }
  std::vector<Publication> reshared;
  reshared.reserve(shares.size());
  // A reshare's feed reach grows with its post's engagement, final for this step: computed once
  // per post (the shares are in post order).
  double reach_now = 0;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    const Share& s = shares[i];
    if (i == 0 || s.post != shares[i - 1].post) {
      const double rank = 1.0 + sc.platform.engagement_weight *
                                    std::log1p(static_cast<double>(posts[s.post].engagement));
      reach_now = std::min(1.0, sc.platform.citizen_reach * rank);
    }
    reshared.push_back({s.post, s.u, reach_now, step + 1, s.depth});
  }
  publish_all(reshared);

  // Follows and unfollows of government accounts.
  for (auto* c : {&follow_c, &unfollow_c, &contrib_c}) {
    std::sort(c->begin(), c->end());
    c->erase(std::unique(c->begin(), c->end()), c->end());
  }
  std::vector<std::vector<NodeId>> extra_add(accounts.size());
  for (const auto& [a, u] : follow_c) {
    auto& acc = accounts[a];
    acc.followers_changed = true;
    set_bit(acc.follows, u, true);
    ++acc.n_followers;
    if (!net.follows(u, acc.node) && !contains(acc.extra, u)) extra_add[a].push_back(u);
  }
  for (std::size_t a = 0; a < accounts.size(); ++a) merge_into(accounts[a].extra, extra_add[a]);
  for (const auto& [a, u] : unfollow_c) {
    accounts[a].followers_changed = true;
    set_bit(accounts[a].follows, u, false);
    --accounts[a].n_followers;
  }
  rec[Series::follows] += static_cast<double>(follow_c.size());
  rec[Series::unfollows] += static_cast<double>(unfollow_c.size());
  for (std::size_t i = 0; i < contrib_c.size();) {
    std::size_t j = i;
    std::vector<NodeId> add;
    for (; j < contrib_c.size() && contrib_c[j].first == contrib_c[i].first; ++j)
      add.push_back(contrib_c[j].second);
    merge_into(posts[contrib_c[i].first].contributors, add);
    i = j;
  }
}

void Simulation::State::add_pending(std::uint32_t post, std::int64_t k) {
  Post& p = posts[post];
  p.pending += k;
  if (p.live) return;
  p.live = true;
  live_government += is_government_type(p.type);
}

void Simulation::State::set_trust(NodeId u, double t, Tally& d) {
  t = std::clamp(t, 0.0, 1.0);
  const double old = trust[u];
  if (t == old) return;
  d.trust_sum[region[u]] += trust_units(t) - trust_units(old);
  --d.trust_hist[trust_bin(old)];
  ++d.trust_hist[trust_bin(t)];
  trust[u] = t;
}

void Simulation::State::set_rumour(NodeId u, std::uint8_t s, Tally& d) {
  const std::uint8_t old = rumour[u];
  if (old == s) return;
  if (old == kBeliever) --d.believers[region[u]];
  if (s == kBeliever) ++d.believers[region[u]];
  d.sceptics += (s == kSceptic) - (old == kSceptic);
  rumour[u] = s;
}

void Simulation::State::update_touched() {
  // Every touched citizen is updated independently of the others, so the order (and the thread
  // that does it) cannot matter. Gains are applied before losses (docs/model.md, Trust).
  // Visit them in id order: the per-citizen arrays are then read front to back instead of at
  // random (at national scale each random read is a cache and TLB miss). Unless they are very
  // few, the bitmap gives the order faster than sorting: a scan reads n / 64 words, a sort of
  // m ids costs about 40 ns each (sorting 4,000 took 0.16 ms at 10^6 citizens).
  if (touched.empty()) return;
  if (touched.size() * 1024 > n) {
    touched.clear();
    for (std::size_t w = 0; w < touched_bits.size(); ++w)
      for (std::uint64_t x = touched_bits[w]; x != 0; x &= x - 1)
        touched.push_back(
            static_cast<NodeId>(w * 64 + static_cast<std::size_t>(std::countr_zero(x))));
  } else {
    std::sort(touched.begin(), touched.end());
  }
  const auto m = static_cast<std::int64_t>(touched.size());
  const auto& tp = sc.trust;
  std::vector<NodeId> new_believers, new_informed, new_concerned;
#pragma omp parallel if (m > kTask)
  {
    std::vector<NodeId> l_bel, l_inf, l_con;
    Tally l_tally(n_regions);
#pragma omp for schedule(static, task_size(static_cast <std::uint64_t>(m))) nowait
    for (std::int64_t i = 0; i < m; ++i) {
      const NodeId u = touched[static_cast<std::size_t>(i)];
      const std::uint8_t before = rumour[u];
      std::uint8_t after = before;
      const std::uint8_t f = ev_flags[u];
      if (before == kUnaware && (f & kReject))
        after = kSceptic;
      else if (before == kUnaware && (f & kBelieve))
        after = kBeliever;
      else if (before == kBeliever && (f & kReject))
        after = kSceptic;
      if (tp.updates) {
        double t = trust[u];
        t = apply_gain(t, tp.answered_gain, ev_answered[u]);
        t = apply_gain(t, tp.redirected_gain, ev_redirected[u]);
        t = apply_gain(t, tp.reply_seen_gain, ev_reply[u]);
        t = apply_gain(t, tp.acknowledged_gain, ev_acknowledged[u]);
        t = apply_gain(t, tp.correction_gain * trust[u], ev_correction[u]);
        t = apply_loss(t, tp.ignored_loss, tp.asymmetry, ev_ignored[u]);
        t = apply_loss(t, tp.complaint_loss, tp.asymmetry, ev_complaint[u]);
        t = apply_loss(t, tp.rumour_loss, tp.asymmetry, after == kBeliever && before != kBeliever);
        set_trust(u, t, l_tally);
      }
      if (after != before) {
        set_rumour(u, after, l_tally);
        if (before == kUnaware) l_inf.push_back(u);
        if (after == kBeliever) {
          l_bel.push_back(u);
          const double jump = sc.rumour.concern_jump * (1.0 - concern(u));
          if (jump > 0) {
            if (excess[u] == 0) l_con.push_back(u);
            excess[u] += jump;
          }
        }
      }
      ev_reply[u] = ev_complaint[u] = ev_correction[u] = 0;
      ev_answered[u] = ev_redirected[u] = ev_ignored[u] = ev_acknowledged[u] = ev_flags[u] = 0;
      std::atomic_ref<std::uint64_t>(touched_bits[u / 64])
          .fetch_and(~(std::uint64_t{1} << (u % 64)), std::memory_order_relaxed);
    }
#pragma omp critical(civsim_touched)
    {
      totals += l_tally;
      new_believers.insert(new_believers.end(), l_bel.begin(), l_bel.end());
      new_informed.insert(new_informed.end(), l_inf.begin(), l_inf.end());
      new_concerned.insert(new_concerned.end(), l_con.begin(), l_con.end());
    }
  }
  touched.clear();
  for (auto* v : {&new_believers, &new_informed, &new_concerned}) std::sort(v->begin(), v->end());
  merge_into(informed, new_informed);
  merge_into(concerned, new_concerned);
  // Hoax: a new believer posts the rumour with probability `spreading`.
  if (sc.rumour.model == RumourModel::hoax) {
    std::vector<Publication> rumours;
    for (const NodeId u : new_believers) {
      const auto w =
          random_words(id(Purpose::rumour_transition, static_cast<std::uint64_t>(step), u, 1));
      if (to_unit(w[0]) >= sc.rumour.spreading) continue;
      const auto post = new_post(PostType::rumour, -1, u, static_cast<std::uint64_t>(step));
      rumours.push_back({post, u, sc.platform.citizen_reach, step + 1, 0});
    }
    publish_all(rumours);
  }
}

void Simulation::State::rumour_transitions() {
  // Hoax model: believers verify (-> sceptic) or forget; sceptics forget (-> unaware).
  if (sc.rumour.model != RumourModel::hoax || informed.empty()) return;
  const auto m = static_cast<std::int64_t>(informed.size());
  const auto& rp = sc.rumour;
#pragma omp parallel if (m > kTask)
  {
    Tally l_tally(n_regions);
#pragma omp for schedule(static, task_size(static_cast <std::uint64_t>(m))) nowait
    for (std::int64_t i = 0; i < m; ++i) {
      const NodeId u = informed[static_cast<std::size_t>(i)];
      const auto w =
          random_words(id(Purpose::rumour_transition, static_cast<std::uint64_t>(step), u));
      if (rumour[u] == kBeliever && to_unit(w[0]) < rp.verification)
        set_rumour(u, kSceptic, l_tally);
      else if (to_unit(w[1]) < rp.forgetting)
        set_rumour(u, kUnaware, l_tally);
    }
#pragma omp critical(civsim_rumour_transitions)
    totals += l_tally;
  }
  std::erase_if(informed, [&](NodeId u) { return rumour[u] == kUnaware; });
}

void Simulation::State::concern_and_questions(StepRecord& rec) {
  // Only citizens above their base concern, or with a base above min_concern, are visited: the
  // others cannot ask and their concern is constant. Chunks are combined in order.
  const double dt = sc.time.step_hours;
  const double f = std::exp2(-dt / sc.concern.half_life_hours);
  const double diurnal = diurnal_weight(profile, sc.time, step);
  const auto& qp = sc.questions;
  const auto m = static_cast<std::int64_t>(concerned.size());
  const std::int64_t n_chunks = (m + kChunk - 1) / kChunk;
  // Per chunk: its regions' excess concern, its new questions (lists kept across steps), and how
  // many of its citizens stay concerned, moved to the front of the chunk's range of the list.
  std::vector<double> chunk_excess(static_cast<std::size_t>(n_chunks) * n_regions);
  auto& chunk_questions = question_chunks;
  if (chunk_questions.size() < static_cast<std::size_t>(n_chunks))
    chunk_questions.resize(static_cast<std::size_t>(n_chunks));
  std::vector<std::size_t> chunk_kept(static_cast<std::size_t>(n_chunks));
  std::vector<std::size_t> followed;
  if (n_chunks > 0)
#pragma omp parallel for schedule(dynamic, 1) if (n_chunks > 1) private(followed)
    for (std::int64_t c = 0; c < n_chunks; ++c) {
      // Filled in thread-private vectors (the question list takes over the chunk's memory) and
      // stored at the end: the vector objects of neighbouring chunks share cache lines, and
      // writing their end pointers at every push_back from two threads cost more than the second
      // thread gained.
      std::vector<double> ex(n_regions, 0.0);
      std::vector<std::pair<std::size_t, Question>> qs;
      qs.swap(chunk_questions[static_cast<std::size_t>(c)]);
      qs.clear();
      // Citizens who stay are moved to the front of the chunk's range (in place: the write
      // index never passes the read index), the others leave the list.
      auto kept = static_cast<std::size_t>(c * kChunk);
      // The list is sorted and regions are contiguous id ranges, so a region's citizens form one
      // run per chunk: summed in a register from 0 and added to ex once, the same sum as adding
      // each to ex[r] (which made every iteration wait for the previous one's store).
      std::size_t run_region = n_regions;
      double run_sum = 0;
      for (std::int64_t i = c * kChunk; i < std::min(m, (c + 1) * kChunk); ++i) {
        const NodeId u = concerned[static_cast<std::size_t>(i)];
        double x = excess[u] * f;
        if (x < 1e-6) x = 0;
        excess[u] = x;
        const std::size_t r = region[u];
        if (r != run_region) {
          if (run_region < n_regions) ex[run_region] += run_sum;
          run_region = r;
          run_sum = 0;
        }
        run_sum += x;
        // Nothing later in the step changes excess or the base, so whether u stays is known now.
        if (x != 0 || concern_base[u] >= qp.min_concern) concerned[kept++] = u;
        const double cu = concern(u);
        if (cu < qp.min_concern || government.empty() || qp.ask_rate_per_day <= 0 ||
            test(pending_question, u))
          continue;
        const double boost = step < surge_until[r] ? surge[r] : 1.0;
        const double rate = qp.ask_rate_per_day / 24.0 * dt * cu * boost * diurnal * activity[u] /
                            sc.citizens.sessions_per_day;
        // An exponential clock (time rescaling): u asks when the hazard accumulated since its last
        // question exceeds an Exp(1) threshold, so P(ask in this step) = 1 - exp(-rate) as for a
        // per-step Bernoulli draw, but a step without a question needs no random draw at all. The
        // threshold of the next question comes from the draw of this one (word 0).
        double& left = ask_hazard[u];
        left -= rate;
        if (left > 0) continue;
        const auto w = random_words(id(Purpose::question, static_cast<std::uint64_t>(step), u));
        left = -std::log(to_unit_open0(w[0]));
        // Ask a followed government account if any, else any government account.
        followed.clear();
        for (const std::size_t a : government)
          if (follows(a, u)) followed.push_back(a);
        const auto& pool = followed.empty() ? government : followed;
        const std::size_t a = pool[to_index(w[1], pool.size())];
        const double patience = -std::log(to_unit_open0(w[2])) * qp.patience_hours;
        const std::int64_t deadline =
            step + 1 + static_cast<std::int64_t>(std::floor(patience / dt));
        test_and_set(pending_question, u);
        // The asker's follower count orders only a most_followers queue (and is a cache miss).
        const std::uint64_t followers =
            sc.accounts[a].queue == QueueDiscipline::most_followers ? net.follower_count(u) : 0;
        qs.emplace_back(a, Question{u, step, deadline, cu, followers});
      }
      if (run_region < n_regions) ex[run_region] += run_sum;
      std::copy(ex.begin(), ex.end(),
                chunk_excess.begin() +
                    static_cast<std::ptrdiff_t>(c) * static_cast<std::ptrdiff_t>(n_regions));
      chunk_questions[static_cast<std::size_t>(c)].swap(qs);
      chunk_kept[static_cast<std::size_t>(c)] = kept - static_cast<std::size_t>(c * kChunk);
    }
  std::vector<double> region_excess(n_regions, 0.0);
  for (std::int64_t c = 0; c < n_chunks; ++c) {
    for (std::size_t r = 0; r < n_regions; ++r)
      region_excess[r] += chunk_excess[static_cast<std::size_t>(c) * n_regions + r];
    for (auto& [a, q] : chunk_questions[static_cast<std::size_t>(c)]) {
      rec.by_region[region_series_slot(Series::questions_asked) * n_regions + region[q.asker]] += 1;
      rec[Series::questions_asked] += 1;
      accounts[a].queue.push(q, sc.accounts[a].queue == QueueDiscipline::fifo);
    }
  }
  // Close the gaps the leavers left (nothing moves while no one has left): rebuilding the list
  // each step copied it into fresh memory on the main thread.
  std::size_t out = 0;
  for (std::int64_t c = 0; c < n_chunks; ++c) {
    const auto first = concerned.begin() + c * kChunk;
    const auto k = static_cast<std::ptrdiff_t>(chunk_kept[static_cast<std::size_t>(c)]);
    if (static_cast<std::int64_t>(out) != c * kChunk)
      std::copy(first, first + k, concerned.begin() + static_cast<std::ptrdiff_t>(out));
    out += static_cast<std::size_t>(k);
  }
  concerned.resize(out);
  double total = 0;
  for (std::size_t r = 0; r < n_regions; ++r) {
    const double mean = region_size[r] ? (base_concern_sum[r] + region_excess[r]) /
                                             static_cast<double>(region_size[r])
                                       : 0.0;
    rec.by_region[region_series_slot(Series::concern_mean) * n_regions + r] = mean;
    total += base_concern_sum[r] + region_excess[r];
  }
  rec[Series::concern_mean] = n ? total / n : 0.0;
}

void Simulation::State::record(StepRecord& rec, std::vector<double>& response) {
  const double dn = n ? static_cast<double>(n) : 1.0;
  rec[Series::reach] = static_cast<double>(reach);
  rec[Series::unique_engagers] = static_cast<double>(engagers);
  rec[Series::correction_reach] = static_cast<double>(correction_reach);
  cum_posts += rec[Series::posts];
  cum_likes += rec[Series::likes];
  cum_comments += rec[Series::comments];
  cum_reshares += rec[Series::reshares];
  double followers = 0, backlog = 0;
  for (const std::size_t a : government) {
    followers += static_cast<double>(accounts[a].n_followers);
    backlog += static_cast<double>(accounts[a].queue.open);
  }
  rec[Series::gov_followers] = followers;
  rec[Series::backlog] = backlog;
  const double per_post = cum_posts > 0 && followers > 0 ? 1000.0 / cum_posts / followers : 0.0;
  rec[Series::popularity] = cum_likes * per_post;
  rec[Series::commitment] = cum_comments * per_post;
  rec[Series::virality] = cum_reshares * per_post;

  std::sort(response.begin(), response.end());
  const auto quantile = [&](double q) {
    if (response.empty()) return std::numeric_limits<double>::quiet_NaN();
    return response[static_cast<std::size_t>(q * static_cast<double>(response.size() - 1) + 0.5)];
  };
  rec[Series::response_time_p50] = quantile(0.5);
  rec[Series::response_time_p90] = quantile(0.9);
  response_hours.insert(response_hours.end(), response.begin(), response.end());

  std::int64_t trust_total = 0, bel = 0;
  for (std::size_t r = 0; r < n_regions; ++r) {
    const double size = region_size[r] ? static_cast<double>(region_size[r]) : 1.0;
    rec.by_region[region_series_slot(Series::trust_mean) * n_regions + r] =
        static_cast<double>(totals.trust_sum[r]) / kTrustScale / size;
    rec.by_region[region_series_slot(Series::rumour_believers) * n_regions + r] =
        static_cast<double>(totals.believers[r]);
    rec.by_region[region_series_slot(Series::reach) * n_regions + r] =
        static_cast<double>(region_reach[r]);
    trust_total += totals.trust_sum[r];
    bel += totals.believers[r];
  }
  rec[Series::trust_mean] = static_cast<double>(trust_total) / kTrustScale / dn;
  // The trust deciles: for q in 0.1, 0.5, 0.9 the midpoint of the bin holding the citizen at
  // 0-based position floor(q N), found in one pass over the histogram.
  constexpr std::array<std::pair<double, Series>, 3> kDeciles{
      {{0.1, Series::trust_p10}, {0.5, Series::trust_p50}, {0.9, Series::trust_p90}}};
  std::size_t next = 0;
  std::int64_t seen = 0;
  for (std::size_t b = 0; b < kTrustBins && next < kDeciles.size(); ++b) {
    seen += totals.trust_hist[b];
    for (; next < kDeciles.size() &&
           seen > static_cast<std::int64_t>(kDeciles[next].first * static_cast<double>(n));
         ++next)
      rec[kDeciles[next].second] = (static_cast<double>(b) + 0.5) / kTrustBins;
  }
  for (; next < kDeciles.size(); ++next) rec[kDeciles[next].second] = 1.0;
  rec[Series::rumour_believers] = static_cast<double>(bel);
  rec[Series::rumour_sceptics] = static_cast<double>(totals.sceptics);

  // Posts whose exposures are all delivered are finished: free their per-citizen state. (Only a
  // post drained this step can be; one the step's reshares scheduled again stays live.)
  for (const std::uint32_t i : drained) {
    Post& p = posts[i];
    if (!p.live || p.pending > 0) continue;
    p.live = false;
    live_government -= is_government_type(p.type);
    std::vector<NodeId>().swap(p.sharers);
    std::vector<std::uint64_t>().swap(p.sharer_bits);
    std::vector<std::uint16_t>().swap(p.seen);
  }
  drained.clear();
  rec[Series::active_cascades] = static_cast<double>(live_government);

  total_impressions += rec[Series::impressions];
  total_staff += rec[Series::staff_hours];
  asked += static_cast<std::uint64_t>(rec[Series::questions_asked]);
  answered += static_cast<std::uint64_t>(rec[Series::questions_answered]);
  redirected += static_cast<std::uint64_t>(rec[Series::questions_redirected]);
  unanswered += static_cast<std::uint64_t>(rec[Series::questions_unanswered]);
  complaints += static_cast<std::uint64_t>(rec[Series::complaints]);
  peak_backlog = std::max(peak_backlog, backlog);
  peak_believers = std::max(peak_believers, static_cast<double>(bel));

#ifdef CIVSIM_SEATBELTS
  // Conservation laws (Debug builds): every question is answered, redirected, given up or
  // pending; every citizen is unaware, a believer or a sceptic.
  std::uint64_t pending = 0;
  for (const std::size_t a : government) pending += accounts[a].queue.open;
  std::uint64_t pending_bits = 0;
  for (const auto w : pending_question)
    pending_bits += static_cast<std::uint64_t>(std::popcount(w));
  if (asked != answered + redirected + unanswered + pending || pending != pending_bits)
    throw std::logic_error(
        "Simulation: questions asked != answered + redirected + unanswered + "
        "pending");
  std::int64_t unaware = 0;
  for (NodeId u = 0; u < n; ++u) unaware += rumour[u] == kUnaware;
  if (bel + totals.sceptics + unaware != static_cast<std::int64_t>(n))
    throw std::logic_error("Simulation: believers + sceptics + unaware != citizens");
  if (reach > n || engagers > reach)
    throw std::logic_error("Simulation: reach > citizens or engagers > reach");
#endif
}

Simulation::Simulation(const Scenario& scenario, const Network& network, std::uint32_t replicate)
    : state_(std::make_unique<State>(scenario, network, replicate)) {}
Simulation::~Simulation() = default;
Simulation::Simulation(Simulation&&) noexcept = default;
bool Simulation::done() const {
  return state_->step >= state_->n_steps;
}
std::int64_t Simulation::current_step() const {
  return state_->step;
}
std::int64_t Simulation::n_steps() const {
  return state_->n_steps;
}
std::size_t Simulation::n_regions() const {
  return state_->n_regions;
}

// One step, in a fixed order of phases (docs/model.md, "A step"): timeline events, rumour
// verification and forgetting, government posts, the reply queues, rumour contacts, delivery of
// the step's exposures with reactions, citizen updates, concern and new questions, statistics.
StepRecord Simulation::step() {
  if (done()) throw std::logic_error("Simulation::step called after the last step");
  State& s = *state_;
  StepRecord rec;
  rec.step = s.step;
  rec.time_hours = static_cast<double>(s.step + 1) * s.sc.time.step_hours;
  rec.by_region.assign(region_series().size() * s.n_regions, 0.0);
  std::vector<double> response;

  s.apply_events(rec);
  s.rumour_transitions();
  s.government_posts(rec);
  s.process_queues(rec, response);
  if (s.sc.rumour.model != RumourModel::hoax) s.rumour_contacts(s.touched);
  s.deliver(rec);
  s.update_touched();
  s.concern_and_questions(rec);
  s.record(rec, response);
  s.last = rec;
  ++s.step;
  return rec;
}

RunSummary Simulation::summary() const {
  const State& s = *state_;
  RunSummary out;
  const auto add = [&](const char* name, double v, const char* units, const char* what) {
    out.scalars.push_back({name, v, units, what});
  };
  const double n = s.n ? static_cast<double>(s.n) : 1.0;
  const auto& last = s.last;
  const bool any = s.step > 0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto& rt = s.response_hours;
  double mean_rt = nan, within_2h = nan;
  if (!rt.empty()) {
    mean_rt = std::accumulate(rt.begin(), rt.end(), 0.0) / static_cast<double>(rt.size());
    within_2h = static_cast<double>(
                    std::count_if(rt.begin(), rt.end(), [](float h) { return h <= 2.0 + 1e-9; })) /
                static_cast<double>(rt.size());
  }
  const double handled = static_cast<double>(s.answered + s.redirected);
  add("final_reach", static_cast<double>(s.reach), "citizens",
      "unique citizens who saw government content");
  add("final_reach_share", static_cast<double>(s.reach) / n, "share of citizens",
      "final_reach / citizens");
  add("total_impressions", s.total_impressions, "impressions", "sum of impressions");
  add("total_posts", s.cum_posts, "posts", "government posts (excluding replies to questions)");
  add("total_likes", s.cum_likes, "likes", "likes on government content");
  add("total_comments", s.cum_comments, "comments", "comments on government content");
  add("total_reshares", s.cum_reshares, "reshares", "reshares of government content");
  add("unique_engagers", static_cast<double>(s.engagers), "citizens",
      "citizens who engaged with government content at least once");
  add("questions_asked", static_cast<double>(s.asked), "questions", "questions asked");
  add("questions_answered", static_cast<double>(s.answered), "questions", "answered publicly");
  add("questions_redirected", static_cast<double>(s.redirected), "questions", "answered privately");
  add("questions_unanswered", static_cast<double>(s.unanswered), "questions",
      "given up after the asker's patience");
  add("reply_rate", s.asked ? handled / static_cast<double>(s.asked) : nan, "share",
      "(answered + redirected) / asked");
  add("mean_response_time", mean_rt, "hours", "mean hours from question to answer");
  add("answered_within_2h", within_2h, "share", "share of answers given within 2 hours");
  add("complaints", static_cast<double>(s.complaints), "posts", "complaint posts");
  add("peak_backlog", s.peak_backlog, "questions", "largest queue backlog");
  add("total_staff_hours", s.total_staff, "hours", "staff time spent");
  add("initial_trust_mean", s.initial_trust, "trust (0-1)", "mean trust at the start");
  add("final_trust_mean", any ? last[Series::trust_mean] : s.initial_trust, "trust (0-1)",
      "mean trust at the end");
  add("final_concern_mean", any ? last[Series::concern_mean] : nan, "concern (0-1)",
      "mean concern at the end");
  add("peak_rumour_believers", s.peak_believers, "citizens", "largest number of believers");
  add("final_rumour_believers", any ? last[Series::rumour_believers] : 0.0, "citizens",
      "believers at the end");
  add("final_correction_reach", static_cast<double>(s.correction_reach), "citizens",
      "unique citizens who saw a correction");
  add("initial_gov_followers", s.initial_followers, "follow relations",
      "follows of government accounts at the start");
  add("final_gov_followers", any ? last[Series::gov_followers] : s.initial_followers,
      "follow relations", "follows of government accounts at the end");

  for (std::size_t i = 0; i < s.posts.size(); ++i) {
    const Post& p = s.posts[i];
    if (!p.scheduled) continue;
    std::size_t b = 0;
    while ((std::uint64_t{2} << b) - 1 <= p.n_sharers) ++b;
    if (out.cascade_size_hist.size() <= b) out.cascade_size_hist.resize(b + 1, 0);
    ++out.cascade_size_hist[b];
    if (out.cascade_depth_hist.size() <= p.max_depth)
      out.cascade_depth_hist.resize(p.max_depth + 1, 0);
    ++out.cascade_depth_hist[p.max_depth];
  }
  return out;
}

void run(Simulation& sim, Observer& observer) {
  while (!sim.done()) observer.on_step(sim.step());
}

}  // namespace civsim

#pragma once
// What a run measures: the outcome series (one value per step, some also per region) and the
// per-run summary. One table drives the recorder, the HDF5 writers, `civsim info` and the docs,
// so a new series is added in exactly one place. docs/model.md §Outcomes defines each series.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace civsim {

enum class Series : std::size_t {
  reach,                 // stock: cumulative unique citizens who saw government content
  new_reach,             // flow
  impressions,           // flow
  posts,                 // flow: government posts (information, consultation, reply, correction)
  likes,                 // flow: likes on government content
  comments,              // flow
  reshares,              // flow
  unique_engagers,       // stock
  popularity,            // stock: Bonson et al., likes per post x 1000 / followers (cumulative)
  commitment,            // stock: comments per post x 1000 / followers
  virality,              // stock: reshares per post x 1000 / followers
  questions_asked,       // flow
  questions_answered,    // flow: answered publicly
  questions_redirected,  // flow: answered in a private channel
  questions_unanswered,  // flow: given up after the asker's patience
  complaints,            // flow: complaint posts by citizens
  backlog,               // stock: questions waiting in government queues at the end of the step
  response_time_p50,     // hours; NaN in steps without answers
  response_time_p90,
  staff_hours,    // flow: staff time spent (replies, posts, acknowledgements)
  gov_followers,  // stock: follow relations to government accounts
  follows,        // flow
  unfollows,      // flow
  trust_mean,     // stock
  trust_p10,
  trust_p50,
  trust_p90,
  concern_mean,
  rumour_believers,  // stock
  rumour_sceptics,   // stock
  correction_reach,  // stock: cumulative unique citizens who saw a correction
  active_cascades,   // stock: government posts still spreading
  count_
};
inline constexpr std::size_t kNumSeries = static_cast<std::size_t>(Series::count_);

struct SeriesSpec {
  Series id;
  const char* name;
  const char* units;
  const char* description;
  bool per_region;  // also recorded per region (series/by_region)
};

inline constexpr std::array<SeriesSpec, kNumSeries> kSeries = {{
    {Series::reach, "reach", "citizens", "cumulative unique citizens who saw government content",
     true},
    {Series::new_reach, "new_reach", "citizens",
     "citizens who saw government content for the first time", false},
    {Series::impressions, "impressions", "impressions",
     "government posts, replies or reshares of them seen by citizens", false},
    {Series::posts, "posts", "posts",
     "posts by government accounts: information, consultation, correction and acknowledgement "
     "posts (answers to questions are counted in questions_answered)",
     false},
    {Series::likes, "likes", "likes", "likes on government content", false},
    {Series::comments, "comments", "comments",
     "comments on government content (contributions to consultations included)", false},
    {Series::reshares, "reshares", "reshares", "reshares of government content", false},
    {Series::unique_engagers, "unique_engagers", "citizens",
     "cumulative unique citizens who liked, commented on or reshared government content", false},
    {Series::popularity, "popularity", "likes per post per 1000 followers",
     "Bonson et al. popularity: cumulative likes / cumulative posts x 1000 / followers", false},
    {Series::commitment, "commitment", "comments per post per 1000 followers",
     "Bonson et al. commitment: cumulative comments / cumulative posts x 1000 / followers", false},
    {Series::virality, "virality", "reshares per post per 1000 followers",
     "Bonson et al. virality: cumulative reshares / cumulative posts x 1000 / followers", false},
    {Series::questions_asked, "questions_asked", "questions",
     "questions (mentions) citizens addressed to government accounts", true},
    {Series::questions_answered, "questions_answered", "questions", "questions answered publicly",
     false},
    {Series::questions_redirected, "questions_redirected", "questions",
     "questions answered in a private channel (privacy redirect)", false},
    {Series::questions_unanswered, "questions_unanswered", "questions",
     "questions given up after the asker's patience ran out", false},
    {Series::complaints, "complaints", "posts", "complaint posts by citizens left unanswered",
     false},
    {Series::backlog, "backlog", "questions", "questions waiting in government queues", false},
    {Series::response_time_p50, "response_time_p50", "hours",
     "median response time of the questions answered in the step (NaN: none)", false},
    {Series::response_time_p90, "response_time_p90", "hours",
     "90th percentile response time of the questions answered in the step (NaN: none)", false},
    {Series::staff_hours, "staff_hours", "hours",
     "staff time spent on replies, posts and acknowledgements", false},
    {Series::gov_followers, "gov_followers", "follow relations",
     "citizens following government accounts (summed over accounts)", false},
    {Series::follows, "follows", "follow relations", "new follows of government accounts", false},
    {Series::unfollows, "unfollows", "follow relations", "unfollows of government accounts", false},
    {Series::trust_mean, "trust_mean", "trust (0-1)", "mean trust in government", true},
    {Series::trust_p10, "trust_p10", "trust (0-1)",
     "10th percentile of trust (histogram of 1024 bins)", false},
    {Series::trust_p50, "trust_p50", "trust (0-1)", "median trust (histogram of 1024 bins)", false},
    {Series::trust_p90, "trust_p90", "trust (0-1)",
     "90th percentile of trust (histogram of 1024 bins)", false},
    {Series::concern_mean, "concern_mean", "concern (0-1)", "mean concern", true},
    {Series::rumour_believers, "rumour_believers", "citizens", "citizens believing the rumour",
     true},
    {Series::rumour_sceptics, "rumour_sceptics", "citizens",
     "citizens who heard the rumour and reject it", false},
    {Series::correction_reach, "correction_reach", "citizens",
     "cumulative unique citizens who saw a correction", false},
    {Series::active_cascades, "active_cascades", "posts",
     "government posts still visible in some feed", false},
}};

inline constexpr std::size_t series_index(Series s) {
  return static_cast<std::size_t>(s);
}

// The per-region series, in file order.
inline std::vector<Series> region_series() {
  std::vector<Series> out;
  for (const auto& s : kSeries)
    if (s.per_region) out.push_back(s.id);
  return out;
}

// Position of a per-region series in region_series().
inline constexpr std::size_t region_series_slot(Series s) {
  std::size_t k = 0;
  for (const auto& spec : kSeries) {
    if (spec.id == s) return k;
    if (spec.per_region) ++k;
  }
  return k;
}

// Outcomes of one step.
struct StepRecord {
  std::int64_t step = 0;
  double time_hours = 0;  // time at the end of the step
  std::array<double, kNumSeries> value{};
  // Per-region values: by_region[k * n_regions + r] for the k-th entry of region_series().
  std::vector<double> by_region;

  double& operator[](Series s) { return value[series_index(s)]; }
  double operator[](Series s) const { return value[series_index(s)]; }
};

// A per-run scalar under /summary.
struct SummaryValue {
  std::string name;
  double value;
  std::string units;
  std::string description;
};

// Per-run results beyond the series: scalars and cascade histograms of government posts.
struct RunSummary {
  std::vector<SummaryValue> scalars;
  // cascade_size_hist[b]: government posts whose reshare cascade had size in [2^b - 1, 2^(b+1) - 1)
  // reshares (bin 0: no reshare); cascade_depth_hist[d]: posts whose deepest reshare was d hops.
  std::vector<std::uint64_t> cascade_size_hist;
  std::vector<std::uint64_t> cascade_depth_hist;
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_step(const StepRecord& record) = 0;
};

// Keeps every step's record (the series of one run).
class SeriesRecorder final : public Observer {
 public:
  void on_step(const StepRecord& record) override { records_.push_back(record); }
  const std::vector<StepRecord>& records() const { return records_; }
  std::vector<double> column(Series s) const;
  // Per-region column k of region_series(), region r.
  std::vector<double> region_column(std::size_t k, std::size_t r, std::size_t n_regions) const;
  std::vector<double> time_hours() const;

 private:
  std::vector<StepRecord> records_;
};

}  // namespace civsim

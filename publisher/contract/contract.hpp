// The contract module: parsing a dataset's contract, and validating values against it.
//
// Pure: no I/O. Callers read the file and pass its text and name (for messages).
// Thread-safety: parse_contract is reentrant; a RecordValidator is used by one thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "publisher/common/status.hpp"
#include "publisher/contract/rules.hpp"
#include "publisher/common/time.hpp"
#include "publisher/model/changeset.hpp"
#include "publisher/model/contract.hpp"
#include "publisher/model/notice.hpp"
#include "publisher/model/record.hpp"

namespace gazette {

// Parses and checks a contract (see schemas/contract.schema.json). Returns invalid_input
// naming `source` and the line and column (JSON syntax) or the JSON path (meaning): a column
// named twice, a key or lifecycle column that does not exist, a bad pattern, and so on.
Result<Contract> parse_contract(std::string_view json_text, const std::string& source);

// Checks and normalises one record's values against a contract: UTF-8, forbidden control
// characters, length, type, pattern, code list (applying declared aliases) and nullability.
class RecordValidator {
 public:
  explicit RecordValidator(const Contract& contract);
  ~RecordValidator();

  // Validates `values` (in contract column order) in place. On failure returns invalid_input
  // whose message starts with `source:line:column:` for the offending value.
  Status validate(std::vector<std::string>& values, const std::string& source,
                  const std::vector<ValueOrigin>& origins) const;

 private:
  const Contract& contract_;
  std::vector<std::unique_ptr<std::regex>> patterns_;
};

// Parses a notice or a plan (schemas/notice.schema.json, schemas/plan.schema.json) and
// checks the columns and definitions it names against `contract`. invalid_input names
// `source` and the JSON path of the mistake.
Result<Notice> parse_notice(std::string_view text, const std::string& source, const Contract& contract);
Result<Plan> parse_plan(std::string_view text, const std::string& source, const Contract& contract);

// A notice or plan as it was stored when published: read as above, but not checked against
// today's contract. It was checked against the contract of its day, which may since have
// dropped the very column a notice announced the removal of.
Result<Notice> read_published_notice(std::string_view text, const std::string& source);
Result<Plan> read_published_plan(std::string_view text, const std::string& source);

// Sets `change.rule` and `change.severity` by the gate's record rules, judged on this pair of
// versions alone (no history, no whole-set patterns): what a changeset between any two
// releases says of each record. A release's own changeset takes the gate's labels instead.
class ChangeClassifier {
 public:
  // The contract is borrowed and must outlive the classifier.
  explicit ChangeClassifier(const Contract& contract);
  ~ChangeClassifier();
  // `before`/`after`: the key's encoded bodies (nullopt when absent on that side).
  void classify(Change& change, std::optional<std::string_view> before, std::optional<std::string_view> after);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- Contract changes -------------------------------------------------------------------
// A difference between a proposed contract and a published one, judged for consumers.
struct ContractFinding {
  std::string rule;  // column-removed, column-renamed, column-retyped, column-reordered,
                     // column-added, key-changed, contract-loosened, lifecycle-redefined,
                     // definition-changed
  Severity severity = Severity::notice;
  std::vector<std::string> columns;  // what it is about, for notice scopes
  std::string note;                  // what changed, for the report
  std::string definition;            // definition-changed: which, and its versions (0: withdrawn)
  int from = 0, to = 0;
};

// Judges `proposed` against every contract version releases were published under (oldest
// first; the last is the newest release's): breaking changes against each, the rest against
// the newest. Pure.
std::vector<ContractFinding> compare_contracts(const std::vector<Contract>& published,
                                               const Contract& proposed);
// Whether records under the proposed contract keep every published column where it was, so
// that they can be compared value by value with published records (appended columns allowed).
bool keeps_column_layout(const std::vector<ContractFinding>& findings);

// ---- The gate ----------------------------------------------------------------------------
// Counts of each value of each code column in a record set (for drift and new codes).
struct ValueCounts {
  std::uint64_t records = 0;
  std::map<std::string, std::map<std::string, std::uint64_t>> by_column;
};

// Counts values of many records quickly (no allocation per record).
class ValueCounter {
 public:
  explicit ValueCounter(const Contract& contract);
  void add(std::string_view body);
  ValueCounts take();

 private:
  struct Column {
    std::size_t index;
    std::string name;
    std::map<std::string, std::uint64_t, std::less<>> counts;
  };
  std::vector<Column> columns_;  // in column order
  std::uint64_t records_ = 0;
};

// One published version of a key: what consumers who hold that release see.
struct PublishedVersion {
  std::string body;
  std::string release;     // the release that first published it
  bool announced = false;  // the change that made it was covered by a notice or a plan
};

// Encoded bodies by key, as views into storage the caller keeps.
using BodyMap = std::map<std::string_view, std::string_view, std::less<>>;

struct GateInput {
  const Changeset* changes = nullptr;  // newest release -> candidate, classified or not
  // Bodies of the changed keys before (in the newest release) and after (in the candidate).
  const BodyMap* before = nullptr;
  const BodyMap* after = nullptr;
  // For changed and added keys: every version ever published, oldest first (the newest
  // release's included).
  const std::map<std::string, std::vector<PublishedVersion>>* history = nullptr;
  const ValueCounts* newest_counts = nullptr;  // null before the first release
  const ValueCounts* candidate_counts = nullptr;
  const std::map<std::string, std::set<std::string>>* published_codes = nullptr;  // ever
  // Notices published already (release: the one they came with, "" for `notice add`), and
  // those to be published with this release (release "" and published_at = publish_at).
  std::vector<Notice> notices;
  std::size_t notices_with_release = 0;  // the first this many of `notices` come with it
  const Plan* plan = nullptr;
  std::vector<std::pair<std::string, std::string>> used_plans;  // (plan id, release) so far
  UnixSeconds publish_at = 0;
  UnixSeconds newest_published_at = 0;  // 0 before the first release
  // When the candidate brings a new contract version (the `contract` run_gate is given): how it
  // differs from the published ones.
  const std::vector<ContractFinding>* contract_changes = nullptr;
  // The contract in force (the newest release's), whose definition versions a plan's `from`
  // must name; null before the first release.
  const Contract* published_contract = nullptr;
  bool records_compared = true;  // false when the column layout changed (nothing to match)
  bool restores_release = false;  // a rollback: the candidate is a release already published
};

struct RuleTally {
  Rule rule = Rule::descriptive_edit;  // its id and severity are the table's (rules.hpp)
  const char* id() const { return rule_id(rule); }
  Severity severity() const { return rule_severity(rule); }
  std::uint64_t count = 0;      // records labelled with the rule, or findings about the whole
  std::uint64_t uncovered = 0;  // needing a notice (or refused) that nothing covers
  std::vector<std::string> covered_by;
  std::vector<Change> samples;        // a few keys with old and new values
  std::vector<std::string> keys;      // every key labelled with it
  std::vector<std::string> uncovered_keys;
  std::vector<std::string> columns;   // what a covering notice's scope must name
  std::vector<std::string> notes;     // whole-set findings: what moved
};

enum class Outcome { publishable, notice_required, refused };

struct Verdict {
  Outcome outcome = Outcome::publishable;
  std::vector<RuleTally> rules;            // in a stable order: breaking, notice, routine
  std::vector<std::string> plan_problems;  // why a plan fails its checks
  std::vector<std::string> offending_keys; // changes outside a plan's blast radius
  std::uint64_t changed_records = 0;
  // For each changed key, the most severe rule that judged it (for labelling changesets).
  std::map<std::string, std::pair<std::string, Severity>> key_rules;
  // Keys whose change was covered by a notice or a plan: consumers were told, so later
  // changes are judged from these versions on.
  std::vector<std::string> announced_keys;
  int notice_lead_days = 0;
  std::string plan_id;  // the backfill's plan, if one was given
  bool records_compared = true;
  bool publishable() const { return outcome == Outcome::publishable; }
};

// Classifies every difference between the newest release and a candidate, judged against
// the whole published history, and decides: publishable as given, publishable only with a
// notice that covers what is not yet covered, or refused. Pure.
Verdict run_gate(const Contract& contract, const GateInput& input);

// The report of a verdict: plain text for people, JSON for programs.
std::string render_verdict_text(const Verdict& v, const std::string& dataset, const std::string& from,
                                const std::string& to);
std::string render_verdict_json(const Verdict& v, const std::string& dataset, const std::string& from,
                                const std::string& to);

// What readers of a published report (render_verdict_json) need of it, read here, beside
// the code that writes it.
struct PublishedReport {
  std::uint64_t routine = 0, notice = 0, breaking = 0;  // findings per severity
  std::string outcome;  // "publishable", "notice-required"
  std::uint64_t changed_records = 0;
  struct RuleFindings {
    std::string rule, severity, about;  // about: "records" or "candidate"
    std::uint64_t count = 0, uncovered = 0, keys = 0;
    std::vector<std::string> covered_by, notes;
    std::vector<Change> samples;  // key, the sample's note as its rule, old and new values
  };
  std::vector<RuleFindings> rules;
  std::string plan;  // the backfill's plan id, if any
};
// invalid_input naming `source` if `json_text` is not such a report.
Result<PublishedReport> read_published_report(std::string_view json_text, const std::string& source);

// Type checks, exposed for tests and for the renderers' number output.
bool is_integer_text(std::string_view v);
bool is_decimal_text(std::string_view v);
bool is_datetime_text(std::string_view v);


}  // namespace gazette

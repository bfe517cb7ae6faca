// The contract module: parsing a dataset's contract, and validating values against it.
//
// Pure: no I/O. Callers read the file and pass its text and name (for messages).
// Thread-safety: parse_contract is reentrant; a RecordValidator is used by one thread.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "publisher/common/status.hpp"
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

// Sets `change.rule` and `change.severity` from the contract. These are the first rules of
// the gate, by column role: keys added (routine), retired through the lifecycle column
// (routine), vanished (notice), load-bearing values changed (notice) or made null (breaking),
// identity changed (breaking), descriptive and bookkeeping edits (routine).
void classify_change(const Contract& contract, Change& change);

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

struct GateInput {
  const Changeset* changes = nullptr;  // newest release -> candidate, classified or not
  // Bodies of the changed keys before (in the newest release) and after (in the candidate).
  const std::map<std::string, std::string>* before = nullptr;
  const std::map<std::string, std::string>* after = nullptr;
  // For changed and added keys: every older distinct version ever published (not the newest).
  const std::map<std::string, std::vector<std::string>>* history = nullptr;
  const ValueCounts* newest_counts = nullptr;  // null before the first release
  const ValueCounts* candidate_counts = nullptr;
  const std::map<std::string, std::set<std::string>>* published_codes = nullptr;  // ever
  std::vector<Notice> notices;  // published already, or to be published with the release
  const Plan* plan = nullptr;
  UnixSeconds publish_at = 0;
  // When the candidate brings a new contract version (the `contract` run_gate is given): how it
  // differs from the published ones, and the newest release's contract, whose definition
  // versions a plan's `from` must name.
  const std::vector<ContractFinding>* contract_changes = nullptr;
  const Contract* published_contract = nullptr;
  bool records_compared = true;  // false when the column layout changed (nothing to match)
};

struct RuleTally {
  std::string rule;
  Severity severity = Severity::routine;
  std::uint64_t count = 0;
  std::uint64_t uncovered = 0;  // needing a notice (or refused) that nothing covers
  std::vector<std::string> covered_by;
  std::vector<Change> samples;  // a few keys with old and new values
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
  bool records_compared = true;
  int exit_code() const { return outcome == Outcome::publishable ? 0 : outcome == Outcome::notice_required ? 3 : 4; }
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

// Type checks, exposed for tests and for the renderers' number output.
bool is_integer_text(std::string_view v);
bool is_decimal_text(std::string_view v);
bool is_datetime_text(std::string_view v);


}  // namespace gazette

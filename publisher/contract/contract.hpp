// The contract module: parsing a dataset's contract, and validating values against it.
//
// Pure: no I/O. Callers read the file and pass its text and name (for messages).
// Thread-safety: parse_contract is reentrant; a RecordValidator is used by one thread.
#pragma once

#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "publisher/common/status.hpp"
#include "publisher/model/changeset.hpp"
#include "publisher/model/contract.hpp"
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

// Sets `change.rule` and `change.severity` from the contract. These are the first rules of
// the gate, by column role: keys added (routine), retired through the lifecycle column
// (routine), vanished (notice), load-bearing values changed (notice) or made null (breaking),
// identity changed (breaking), descriptive and bookkeeping edits (routine).
void classify_change(const Contract& contract, Change& change);

// Type checks, exposed for tests and for the renderers' number output.
bool is_integer_text(std::string_view v);
bool is_decimal_text(std::string_view v);
bool is_datetime_text(std::string_view v);


}  // namespace gazette

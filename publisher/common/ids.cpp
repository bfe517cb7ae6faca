#include "publisher/common/ids.hpp"

#include "publisher/common/time.hpp"

namespace gazette {

namespace {
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

Result<DatasetId> DatasetId::parse(std::string_view t) {
  bool ok = !t.empty() && t.size() <= 64 && t[0] >= 'a' && t[0] <= 'z';
  for (char c : t) ok = ok && (is_lower_alnum(c) || c == '-');
  if (!ok)
    return Status::invalid_input("'" + std::string(t) +
                                 "' is not a dataset id (lower-case letters, digits and '-', "
                                 "starting with a letter)");
  DatasetId id;
  id.v_ = std::string(t);
  return id;
}

Result<ReleaseId> ReleaseId::parse(std::string_view t) {
  auto bad = [&] {
    return Status::invalid_input("'" + std::string(t) +
                                 "' is not a release id (YYYY-MM-DD or YYYY-MM-DD.N)");
  };
  if (t.size() < 10 || !parse_instant(t.substr(0, 10)).ok()) return bad();
  if (t.size() > 10) {
    if (t[10] != '.' || t.size() == 11 || t.size() > 16 || t[11] == '0') return bad();
    for (size_t i = 11; i < t.size(); ++i)
      if (!is_digit(t[i])) return bad();
  }
  ReleaseId id;
  id.v_ = std::string(t);
  return id;
}

ReleaseId ReleaseId::for_day(const std::string& date, int ordinal) {
  ReleaseId id;
  id.v_ = ordinal <= 1 ? date : date + "." + std::to_string(ordinal);
  return id;
}

Result<CandidateId> CandidateId::parse(std::string_view t) {
  bool ok = t.size() == 16;
  for (char c : t) ok = ok && (is_digit(c) || (c >= 'a' && c <= 'f'));
  if (!ok) return Status::invalid_input("'" + std::string(t) + "' is not a candidate id");
  CandidateId id;
  id.v_ = std::string(t);
  return id;
}

}  // namespace gazette

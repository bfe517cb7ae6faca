#include "publisher/model/changeset.hpp"

namespace gazette {

const char* to_string(ChangeKind k) {
  switch (k) {
    case ChangeKind::added: return "added";
    case ChangeKind::removed: return "removed";
    case ChangeKind::retired: return "retired";
    case ChangeKind::modified: return "modified";
  }
  return "modified";
}

Severity severity_from_string(std::string_view s) {
  return s == "breaking" ? Severity::breaking : s == "notice" ? Severity::notice : Severity::routine;
}

const char* to_string(Severity s) {
  switch (s) {
    case Severity::routine: return "routine";
    case Severity::notice: return "notice";
    case Severity::breaking: return "breaking";
  }
  return "routine";
}

}  // namespace gazette

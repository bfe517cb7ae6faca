// Method: nlohmann's SAX interface over the stream, with a stack saying where each event is
// (the document, its summary, the list of changes, one change, its fields, one field, or
// anything else, which is skipped). A change is handed on when its object closes, so memory
// holds one change however long the document.
#include <nlohmann/json.hpp>

#include "publisher/render/render.hpp"

namespace gazette {

namespace {

using json = nlohmann::json;

class ChangesetEvents : public nlohmann::json_sax<json> {
 public:
  ChangesetEvents(const std::string& source, Changeset& head, const std::function<Status(Change&)>& on_change)
      : source_(source), head_(head), on_change_(on_change) {}
  Status status() const { return status_; }

  bool null() override { return text("", true); }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t v) override { return v < 0 || number(static_cast<std::uint64_t>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(v); }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t& v) override { return text(v, false); }
  bool binary(binary_t&) override { return true; }
  bool key(string_t& k) override {
    key_ = k;
    return true;
  }
  bool start_object(std::size_t) override {
    const Where at = stack_.empty() ? Where::none : stack_.back();
    Where next = Where::other;
    if (at == Where::none) next = Where::document;
    else if (at == Where::document && key_ == "summary") next = Where::summary;
    else if (at == Where::changes) next = Where::change;
    else if (at == Where::fields) next = Where::field;
    if (next == Where::change) change_ = Change{};
    if (next == Where::field) field_ = FieldChange{};
    stack_.push_back(next);
    return true;
  }
  bool end_object() override {
    const Where ended = stack_.back();
    stack_.pop_back();
    if (ended == Where::field) change_.fields.push_back(std::move(field_));
    if (ended == Where::change) {
      status_ = on_change_(change_);
      return status_.ok();
    }
    return true;
  }
  bool start_array(std::size_t) override {
    const Where at = stack_.empty() ? Where::none : stack_.back();
    Where next = Where::other;
    if (at == Where::document && key_ == "changes") next = Where::changes;
    else if (at == Where::change && key_ == "fields") next = Where::fields;
    stack_.push_back(next);
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    status_ = Status::invalid_input(source_ + ": not a changeset at byte " + std::to_string(position) + ": " + e.what());
    return false;
  }

 private:
  enum class Where { none, document, summary, changes, change, fields, field, other };

  bool text(const std::string& v, bool is_null) {
    if (stack_.empty()) return true;
    switch (stack_.back()) {
      case Where::document:
        if (key_ == "dataset") head_.dataset = v;
        else if (key_ == "from") head_.from = v;
        else if (key_ == "to") head_.to = v;
        break;
      case Where::change:
        if (key_ == "key") change_.key = v;
        else if (key_ == "rule") change_.rule = v;
        else if (key_ == "severity") change_.severity = severity_from_string(v);
        else if (key_ == "kind")
          change_.kind = v == "added" ? ChangeKind::added : v == "removed" ? ChangeKind::removed
                         : v == "retired"                      ? ChangeKind::retired
                                                               : ChangeKind::modified;
        break;
      case Where::field:
        if (key_ == "column") field_.column = v;
        else if (key_ == "old") field_.old_value = is_null ? "" : v;
        else if (key_ == "new") field_.new_value = is_null ? "" : v;
        break;
      default: break;
    }
    return true;
  }
  bool number(std::uint64_t v) {
    if (stack_.empty() || stack_.back() != Where::summary) return true;
    if (key_ == "added") head_.summary.added = v;
    else if (key_ == "removed") head_.summary.removed = v;
    else if (key_ == "retired") head_.summary.retired = v;
    else if (key_ == "modified") head_.summary.modified = v;
    return true;
  }

  const std::string& source_;
  Changeset& head_;
  const std::function<Status(Change&)>& on_change_;
  std::vector<Where> stack_;
  std::string key_;
  Change change_;
  FieldChange field_;
  Status status_;
};

}  // namespace

Status read_changeset_json(std::istream& in, const std::string& source, Changeset& head,
                           const std::function<Status(Change&)>& on_change) {
  ChangesetEvents events(source, head, on_change);
  const bool read = json::sax_parse(in, &events);
  if (!events.status().ok()) return events.status();
  if (!read) return Status::invalid_input(source + ": not a changeset");
  return {};
}

}  // namespace gazette

// Method: between two releases, ask the store for the keys whose version changed in between
// (proportional to the change, not to the dataset); between a release and a candidate, merge
// the two sorted record sets. Either way each change is classified by the contract.
#include "publisher/contract/contract.hpp"
#include "publisher/diff/diff.hpp"
#include "publisher/render/render.hpp"
#include "publisher/release/release.hpp"

namespace gazette {

namespace {

// Labels each change by the gate's record rules, given both versions of each changed key.
void classify_all(const Contract& contract, Changeset& cs, const BodyMap& before, const BodyMap& after) {
  ChangeClassifier classifier(contract);
  for (auto& ch : cs.changes) {
    auto b = before.find(ch.key);
    auto a = after.find(ch.key);
    classifier.classify(ch, b == before.end() ? std::nullopt : std::optional<std::string_view>(b->second),
                        a == after.end() ? std::nullopt : std::optional<std::string_view>(a->second));
  }
}

// Labels each change of `cs` (a page or the whole of release `release`'s changeset against its
// parent) with the gate's verdict kept with the release.
Status apply_stored_labels(Store& store, const std::string& dataset, const std::string& release, Changeset& cs) {
  if (cs.changes.empty()) return {};
  auto labels = store.change_labels(dataset, release, cs.changes.front().key, cs.changes.back().key);
  if (!labels.ok()) return labels.status();
  for (auto& ch : cs.changes) {
    auto it = labels->find(ch.key);
    if (it == labels->end()) return Status::corruption(release + ": no label for the change of " + ch.key);
    ch.rule = it->second.first;
    ch.severity = severity_from_string(it->second.second);
  }
  return {};
}

// A record that enters or leaves a subset between two releases: the subset's changeset shows
// it added or removed, with the body it has inside the subset.
struct SubsetCrossing {
  std::string key;
  bool enters = false;
  std::string body;
};

// Whether the change of `key` belongs to the filter's changeset (the record is in the subset
// before or after); one that crosses its edge is noted in `crossings`.
bool note_crossing(const Contract& contract, const RecordFilter& filter, std::string_view key,
                   std::optional<std::string_view> before, std::optional<std::string_view> after,
                   std::vector<SubsetCrossing>& crossings) {
  const bool was_in = before && filter.matches(contract, key, *before);
  const bool is_in = after && filter.matches(contract, key, *after);
  if (was_in != is_in) crossings.push_back({std::string(key), is_in, std::string(is_in ? *after : *before)});
  return was_in || is_in;
}

// Shows each crossing change as the subset sees it: added (every value) or removed, keeping
// the rule and severity of what really happened to the record. Both lists are in key order.
void apply_crossings(const Contract& contract, const std::vector<SubsetCrossing>& crossings, Changeset& cs) {
  auto next = crossings.begin();
  for (auto& ch : cs.changes) {
    while (next != crossings.end() && next->key < ch.key) ++next;
    if (next == crossings.end()) return;
    if (next->key != ch.key) continue;
    ChangesetBuilder one(contract);
    if (next->enters) one.add(ch.key, std::nullopt, next->body);
    else one.add(ch.key, next->body, std::nullopt);
    Changeset seen = one.take();
    if (seen.changes.size() != 1) continue;
    seen.changes[0].rule = std::move(ch.rule);
    seen.changes[0].severity = ch.severity;
    ch = std::move(seen.changes[0]);
  }
}

}  // namespace

Result<Changeset> changeset_between(Store& store, const Contract& contract,
                                    const std::string& dataset, const Release* from,
                                    const Release& to) {
  Store::ReadSnapshot snapshot(store);
  // A release against its parent: labelled by the gate itself, as kept when it was cut, so
  // that it agrees with the release's report rule for rule (older releases kept the whole).
  const bool parent_pair = from && to.parent == from->id;
  if (parent_pair) {
    auto stored = store.stored_changeset(dataset, to.id);
    if (!stored.ok()) return stored.status();
    if (*stored) return parse_changeset_json(**stored);
  }
  ChangesetBuilder builder(contract);
  ChangedBodies bodies;
  Status s = store.for_each_changed_key(
      dataset, from ? from->seq : 0, to.seq,
      [&](std::string_view key, std::optional<std::string_view> a, std::optional<std::string_view> b) {
        builder.add(key, a, b);
        if (parent_pair || (a && b && *a == *b)) return Status{};
        std::string_view k = bodies.owned.emplace_back(key);
        if (a) bodies.before.emplace(k, bodies.owned.emplace_back(*a));
        if (b) bodies.after.emplace(k, bodies.owned.emplace_back(*b));
        return Status{};
      });
  if (!s.ok()) return s;
  Changeset cs = builder.take();
  cs.dataset = dataset;
  cs.from = from ? from->id : "";
  cs.to = to.id;
  if (parent_pair) {
    GAZETTE_RETURN_IF_ERROR(apply_stored_labels(store, dataset, to.id, cs));
  } else {
    classify_all(contract, cs, bodies.before, bodies.after);
  }
  return cs;
}

Result<ChangesetPage> changeset_page(Store& store, const Contract& contract, const std::string& dataset,
                                     const Release* from, const Release& to, std::string_view after,
                                     std::size_t limit, const std::optional<ChangeSummary>& known_summary,
                                     const RecordFilter* filter) {
  Store::ReadSnapshot snapshot(store);
  const bool filtered = filter != nullptr && !filter->empty();
  const std::string_view area = filtered ? std::string_view(filter->area) : std::string_view();
  const bool parent_pair = from && to.parent == from->id;
  bool labelled = false;
  ChangesetPage page;
  if (parent_pair) {
    auto has = store.has_change_labels(dataset, to.id);
    if (!has.ok()) return has.status();
    labelled = *has;
    if (!labelled && !filtered) {
      // Cut before changesets were kept by key: the stored whole, sliced.
      auto whole = changeset_between(store, contract, dataset, from, to);
      if (!whole.ok()) return whole.status();
      auto begin = std::upper_bound(whole->changes.begin(), whole->changes.end(), after,
                                    [](std::string_view k, const Change& c) { return k < c.key; });
      if (after.empty()) begin = whole->changes.begin();
      const auto end = whole->changes.end() - begin > static_cast<std::ptrdiff_t>(limit) ? begin + static_cast<std::ptrdiff_t>(limit)
                                                                                     : whole->changes.end();
      page.more = end != whole->changes.end();
      if (end != begin) page.last_key = (end - 1)->key;
      page.changeset = std::move(*whole);
      page.changeset.changes = std::vector<Change>(std::make_move_iterator(begin), std::make_move_iterator(end));
      return page;
    }
  }
  ChangesetBuilder builder(contract);
  ChangedBodies bodies;
  std::vector<SubsetCrossing> crossings;
  auto more = store.changed_keys_page(
      dataset, from ? from->seq : 0, to.seq, after, limit,
      [&](std::string_view key, std::optional<std::string_view> a, std::optional<std::string_view> b) {
        page.last_key = std::string(key);
        if (filtered && !note_crossing(contract, *filter, key, a, b, crossings)) return Status{};
        builder.add(key, a, b);
        if (!labelled) {
          std::string_view k = bodies.owned.emplace_back(key);
          if (a) bodies.before.emplace(k, bodies.owned.emplace_back(*a));
          if (b) bodies.after.emplace(k, bodies.owned.emplace_back(*b));
        }
        return Status{};
      },
      area);
  if (!more.ok()) return more.status();
  page.more = *more;
  page.changeset = builder.take();
  Changeset& cs = page.changeset;
  cs.dataset = dataset;
  cs.from = from ? from->id : "";
  cs.to = to.id;
  // Each change is labelled as the whole changeset labels it (a record entering a subset keeps
  // the rule of what happened to it), then shown as the subset sees it.
  if (labelled) GAZETTE_RETURN_IF_ERROR(apply_stored_labels(store, dataset, to.id, cs));
  else classify_all(contract, cs, bodies.before, bodies.after);
  apply_crossings(contract, crossings, cs);
  if (known_summary) {
    cs.summary = *known_summary;
    return page;
  }
  if (labelled && !filtered) {
    // The gate's own counts, as the release's report gives them.
    auto counts = store.change_counts(dataset);
    if (!counts.ok()) return counts.status();
    if (auto it = counts->find(to.id); it != counts->end())
      cs.summary = {it->second.added, it->second.removed, it->second.retired, it->second.modified};
    return page;
  }
  // The summary counts the whole changeset: one more pass, keeping nothing but the counts.
  cs.summary = {};
  ChangesetBuilder counter(contract);
  GAZETTE_RETURN_IF_ERROR(store.for_each_changed_key(
      dataset, from ? from->seq : 0, to.seq,
      [&](std::string_view key, std::optional<std::string_view> a, std::optional<std::string_view> b) {
        if (filtered) {
          const bool was_in = a && filter->matches(contract, key, *a), is_in = b && filter->matches(contract, key, *b);
          if (!was_in && !is_in) return Status{};
          if (!was_in) a.reset();
          if (!is_in) b.reset();
        }
        counter.add(key, a, b);
        const ChangeSummary s = counter.take().summary;
        cs.summary.added += s.added;
        cs.summary.removed += s.removed;
        cs.summary.retired += s.retired;
        cs.summary.modified += s.modified;
        return Status{};
      },
      area));
  return page;
}

Result<Changeset> changeset_to_candidate(Store& store, const Contract& contract,
                                         const std::string& dataset, const Release* from,
                                         const std::string& candidate_id, ChangedBodies* bodies,
                                         const Store::CandidateView* view, ChangesetFor purpose) {
  // Method: compare the candidate's bodies with the release's stored hashes, key by key, and
  // read a release body only for a key whose hash differs. A weekly candidate therefore reads
  // hashes for every key but bodies for about 1% of them.
  Store::ReadSnapshot snapshot(store);
  auto cand = store.candidate(dataset, candidate_id);
  if (!cand.ok()) return cand.status();
  if (!cand->has_value())
    return Status::not_found("no candidate '" + candidate_id + "' for dataset '" + dataset + "'");
  ChangedBodies own_bodies;
  if (bodies == nullptr) bodies = &own_bodies;
  if (view == nullptr) {  // the bodies' views point into it: it lives as long as they do
    auto after = store.read_candidate_view(dataset, candidate_id);
    if (!after.ok()) return after.status();
    bodies->view = std::move(*after);
    view = bodies->view.get();
  }
  const auto& recs = view->records;

  // Which keys differ, in key order: (key, index in the candidate or npos, present before).
  // Keys are views into the candidate, or (for keys it no longer holds) into `owned`.
  struct Diff {
    std::string_view key;
    std::size_t after = static_cast<std::size_t>(-1);
    bool before = false;
  };
  std::vector<Diff> diffs;
  std::size_t j = 0;
  if (from) {
    Status s = store.for_each_record_hash(
        dataset, from->seq, [&](std::string_view key, const Digest& hash) {
          while (j < recs.size() && recs[j].first < key) diffs.push_back({recs[j].first, j++, false});
          if (j < recs.size() && recs[j].first == key) {
            if (sha256(recs[j].second) != hash) diffs.push_back({recs[j].first, j, true});
            ++j;
          } else {
            diffs.push_back({bodies->owned.emplace_back(key), static_cast<std::size_t>(-1), true});
          }
          return Status{};
        });
    if (!s.ok()) return s;
  }
  for (; j < recs.size(); ++j) diffs.push_back({recs[j].first, j, false});

  ChangesetBuilder builder(contract, purpose == ChangesetFor::gate ? AddedValues::omitted : AddedValues::spelled_out);
  for (const auto& d : diffs) {
    std::optional<std::string_view> before, after_body;
    if (d.before) {
      auto b = store.record_body(dataset, std::string(d.key), from->seq);
      if (!b.ok()) return b.status();
      if (*b) {
        before = bodies->owned.emplace_back(std::move(**b));
        bodies->before.emplace(d.key, *before);
      }
    }
    if (d.after != static_cast<std::size_t>(-1)) {
      after_body = recs[d.after].second;
      bodies->after.emplace(d.key, *after_body);
    }
    builder.add(d.key, before, after_body);
  }
  Changeset cs = builder.take();
  cs.dataset = dataset;
  cs.from = from ? from->id : "";
  cs.to = "candidate:" + candidate_id;
  if (purpose == ChangesetFor::consumers) classify_all(contract, cs, bodies->before, bodies->after);
  return cs;
}

Result<std::vector<RecordEvent>> record_history(Store& store, const std::string& dataset,
                                                const std::string& key, bool explain) {
  Store::ReadSnapshot snapshot(store);
  auto versions = store.key_history(dataset, key);
  if (!versions.ok()) return versions.status();
  auto releases = store.releases(dataset);
  if (!releases.ok()) return releases.status();
  auto contract = load_contract(store, dataset);
  if (!contract.ok()) return contract.status();
  auto release_at = [&](std::int64_t seq) -> const Release* {
    for (const auto& r : *releases)
      if (r.seq == seq) return &r;
    return nullptr;
  };
  const std::size_t lifecycle = contract->column_index(contract->lifecycle.column);
  std::vector<RecordEvent> out;
  std::vector<std::string_view> fields;
  std::string previous_lifecycle;
  std::string previous_body;  // the last version that existed (a revival is compared with it)
  std::int64_t previous_end = -1;
  for (const auto& v : *versions) {
    const Release* r = release_at(v.first_seq);
    if (r == nullptr) return Status::corruption("record span names an unknown release");
    RecordEvent e;
    e.release = *r;
    e.body = v.body;
    decode_record(v.body, fields);
    std::string state = lifecycle < fields.size() ? std::string(fields[lifecycle]) : "";
    if (out.empty() || previous_end != v.first_seq) {
      e.change = ChangeKind::added;  // first appearance, or back after a removal
      e.revived = !out.empty();
    } else {
      e.change = contract->is_retired(state) && !contract->is_retired(previous_lifecycle)
                     ? ChangeKind::retired
                     : ChangeKind::modified;
      e.revived = contract->is_retired(previous_lifecycle) && !contract->is_retired(state);
    }
    if (explain && !out.empty()) {
      ChangesetBuilder diff(*contract);
      diff.add(key, previous_body, e.body);
      for (auto& change : diff.take().changes) e.fields = std::move(change.fields);
    }
    if (explain) {
      auto labels = store.change_labels(dataset, r->id, key, key);
      if (!labels.ok()) return labels.status();
      if (auto it = labels->find(key); it != labels->end()) std::tie(e.rule, e.severity) = it->second;
    }
    previous_body = e.body;
    out.push_back(std::move(e));
    previous_lifecycle = state;
    previous_end = v.last_seq;
    // A span that ends with no successor starting there: the key was removed in that release.
    if (v.last_seq != 0) {
      bool continued = false;
      for (const auto& w : *versions) continued = continued || w.first_seq == v.last_seq;
      if (!continued) {
        const Release* gone = release_at(v.last_seq);
        if (gone == nullptr) return Status::corruption("record span names an unknown release");
        RecordEvent removed;
        removed.release = *gone;
        removed.change = ChangeKind::removed;
        if (explain) {
          auto labels = store.change_labels(dataset, gone->id, key, key);
          if (!labels.ok()) return labels.status();
          if (auto it = labels->find(key); it != labels->end()) std::tie(removed.rule, removed.severity) = it->second;
        }
        out.push_back(std::move(removed));
      }
    }
  }
  return out;
}

}  // namespace gazette

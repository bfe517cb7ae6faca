#include "publisher/mirror/mirror.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "publisher/common/file_io.hpp"
#include "publisher/common/ids.hpp"
#include "publisher/common/url.hpp"
#include "publisher/contract/contract.hpp"
#include "publisher/ingest/ingest.hpp"
#include "publisher/mirror/local_copy.hpp"
#include "publisher/mirror/remote.hpp"
#include "publisher/mirror/trust.hpp"
#include "publisher/model/release.hpp"
#include "publisher/render/render.hpp"
#include "publisher/urls/urls.hpp"

namespace gazette {

namespace {

using json = nlohmann::json;
using namespace mirror_detail;

constexpr std::size_t kPageLimit = 10000;               // changes per request to an origin
constexpr std::size_t kMaxPageBytes = 512u << 20;       // one page of them, at most

std::string str(const json& j, const char* name) {
  return j.is_object() && j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : "";
}
std::uint64_t number(const json& j, const char* name) {
  return j.is_object() && j.contains(name) && j[name].is_number_unsigned() ? j[name].get<std::uint64_t>() : 0;
}

struct ListedRelease {
  std::string id, version, published_at, parent;
  int contract_version = 0;
  std::string csv_url, csv_sha256;
  std::uint64_t csv_bytes = 0;
  int major() const { return MeaningVersion::parse(version).value_or(MeaningVersion{}).major; }
};

struct ReleaseList {
  std::vector<ListedRelease> releases;  // newest first
  UnixSeconds signed_at = 0;
  const ListedRelease* find(const std::string& id) const {
    for (const auto& r : releases)
      if (r.id == id) return &r;
    return nullptr;
  }
};

struct Manifest {
  std::string renderer;
  int contract_version = 0;
  // The CSV the copy must equal: the release's, or with --area the area's.
  std::string csv_url, csv_sha256;
  std::uint64_t csv_bytes = 0;
  std::string areas_url, areas_sha256;  // the signed area index it vouches for ("" for none)
  std::uint64_t areas_bytes = 0;
};

// Everything one run works with.
struct Run {
  const MirrorOptions& options;
  UnixSeconds now;
  Remote remote;
  Trust trust;
  std::filesystem::path copy_file, csv_file, download_file, new_copy_file, changes_file;

  void note(const std::string& line) const {
    if (options.note) options.note(line);
  }

  // Checks a signature by a trusted key (`check`: of the bytes, or of their digest), following
  // the publisher's key rotation once when the signer is not yet trusted.
  Result<VerifiedSignature> verify_by(const std::function<Result<VerifiedSignature>()>& check, const std::string& signature) {
    auto verified = check();
    auto signer = signature_key_id(signature);
    if (verified.ok() || !signer || trust.trusts(*signer)) return verified;
    auto followed = trust.follow_rotation(remote, signature);
    if (!followed.ok()) return followed.status();
    for (const auto& id : *followed) note("now trusting the publisher's key " + id + ", endorsed by the key before it");
    return check();
  }

  // A small document and what its signature vouches for.
  struct SignedText {
    std::string text;
    VerifiedSignature verified;
  };
  Result<SignedText> signed_text(const std::string& path, std::size_t max_bytes) {
    auto text = remote.text(path, max_bytes);
    if (!text.ok()) return text.status();
    auto signature = remote.text(urls::signature(path), 4096);
    if (!signature.ok()) return signature.status();
    auto verified = verify_by([&] { return trust.check(*text, *signature, path); }, *signature);
    if (!verified.ok()) return Status::invalid_input(remote.url(path) + ": " + verified.status().message());
    return SignedText{std::move(*text), std::move(*verified)};
  }
};

Result<ReleaseList> fetch_release_list(Run& run, const std::string& ds) {
  const std::string path = urls::releases(ds);
  auto signed_list = run.signed_text(path, 64u << 20);
  if (!signed_list.ok()) return signed_list.status();
  const std::string& comment = signed_list->verified.trusted_comment;
  ReleaseList list;
  auto until = parse_instant(comment_field(comment, "valid_until"));
  auto signed_at = std::strtoll(comment_field(comment, "timestamp").c_str(), nullptr, 10);
  if (!until.ok()) return Status::invalid_input(run.remote.url(path) + ": its signature gives no validity window");
  if (*until < run.now)
    return Status::invalid_input(run.remote.url(path) + ": the release list expired at " + format_rfc3339(*until) +
                                 " (signed " + format_rfc3339(signed_at) +
                                 "); a mirror serving it is stale or replaying it. The copy is unchanged");
  list.signed_at = signed_at;
  auto doc = json::parse(signed_list->text, nullptr, false);
  if (doc.is_discarded() || str(doc, "dataset") != ds || !doc.contains("releases") || !doc["releases"].is_array())
    return Status::invalid_input(run.remote.url(path) + ": not the release list of " + ds);
  const json& releases = doc["releases"];
  for (const auto& r : releases) {
    ListedRelease l;
    l.id = str(r, "id");
    l.version = str(r, "version");
    l.published_at = str(r, "published_at");
    l.parent = str(r, "parent");
    l.contract_version = static_cast<int>(number(r, "contract_version"));
    if (r.contains("artefacts") && r["artefacts"].is_object() && r["artefacts"].contains("csv")) {
      const json& csv = r["artefacts"]["csv"];
      l.csv_url = str(csv, "url");
      l.csv_sha256 = str(csv, "sha256");
      l.csv_bytes = number(csv, "bytes");
    }
    if (!ReleaseId::parse(l.id).ok() || (!l.parent.empty() && !ReleaseId::parse(l.parent).ok()) ||
        !MeaningVersion::parse(l.version) || l.csv_sha256.size() != 64 ||
        l.csv_url != urls::release_file(ds, l.id, ds + ".csv"))
      return Status::invalid_input(run.remote.url(path) + ": release '" + l.id + "' is not listed in full");
    list.releases.push_back(std::move(l));
  }
  if (list.releases.empty()) return Status::not_found(run.remote.url(path) + ": " + ds + " has no release yet");
  return list;
}

Result<Manifest> fetch_manifest(Run& run, const std::string& ds, const ListedRelease& release) {
  const std::string path = urls::manifest(ds, release.id);
  auto text = run.signed_text(path, 16u << 20);
  if (!text.ok()) return text.status();
  auto doc = json::parse(text->text, nullptr, false);
  Manifest m;
  m.renderer = str(doc, "renderer");
  m.contract_version = static_cast<int>(number(doc, "contract_version"));
  if (doc.is_object() && doc.contains("artefacts") && doc["artefacts"].is_array())
    for (const auto& a : doc["artefacts"])
      if (str(a, "name") == ds + ".csv") {
        m.csv_sha256 = str(a, "sha256");
        m.csv_bytes = number(a, "bytes");
      }
  if (str(doc, "dataset") != ds || str(doc, "release") != release.id)
    return Status::invalid_input(run.remote.url(path) + ": the manifest of another release");
  if (m.csv_sha256 != release.csv_sha256 || m.csv_bytes != release.csv_bytes)
    return Status::invalid_input(run.remote.url(path) + ": its CSV is not the one the release list names");
  if (renderer_version(m.renderer) == 0) return Status::invalid_input(run.remote.url(path) + ": " + missing_renderer(m.renderer));
  m.csv_url = release.csv_url;
  if (doc.contains("areas") && doc["areas"].is_object()) {
    m.areas_url = str(doc["areas"], "url");
    m.areas_sha256 = str(doc["areas"], "sha256");
    m.areas_bytes = number(doc["areas"], "bytes");
  }
  if (run.options.area.empty()) return m;
  // One area: its CSV as the area index lists it, the index as the signed manifest hashes it.
  if (m.areas_url != urls::area_index(ds, release.id))
    return Status::not_found(run.remote.url(path) + ": release " + release.id + " has no areas (" + ds +
                             "'s contract had no partition then)");
  auto index = run.remote.text(m.areas_url, 64u << 20);
  if (!index.ok()) return index.status();
  if (to_hex(sha256(*index)) != m.areas_sha256 || index->size() != m.areas_bytes)
    return Status::invalid_input(run.remote.url(m.areas_url) + ": not the area index the signed manifest hashes");
  auto areas = json::parse(*index, nullptr, false);
  if (!areas.is_object() || !areas.contains("areas") || !areas["areas"].is_array())
    return Status::invalid_input(run.remote.url(m.areas_url) + ": not an area index");
  for (const auto& a : areas["areas"]) {
    if (str(a, "code") != run.options.area || !a.contains("artefacts") || !a["artefacts"].is_array()) continue;
    for (const auto& art : a["artefacts"])
      if (str(art, "name") == ds + ".csv") {
        m.csv_url = str(art, "url");
        m.csv_sha256 = str(art, "sha256");
        m.csv_bytes = number(art, "bytes");
        if (m.csv_url != urls::area_file(ds, release.id, run.options.area, ds + ".csv") || m.csv_sha256.size() != 64)
          return Status::invalid_input(run.remote.url(m.areas_url) + ": area " + run.options.area + " is not listed in full");
        return m;
      }
  }
  return Status::not_found(run.remote.url(m.areas_url) + ": release " + release.id + " has no area '" +
                           run.options.area + "'");
}

// The records of a CSV file into a new copy, in one transaction.
class CopyLoader : public RecordSink {
 public:
  explicit CopyLoader(LocalCopy& copy) : copy_(copy) {}
  Status on_record(std::vector<std::string>& values, const std::vector<ValueOrigin>&) override {
    return copy_.insert(values);
  }

 private:
  LocalCopy& copy_;
};

Status prove(LocalCopy& copy, const Manifest& m, const std::string& what,
             const std::function<Status(std::string_view)>& sink = {}) {
  auto rendered = copy.render_csv(renderer_version(m.renderer), sink);
  if (!rendered.ok()) return rendered.status();
  if (rendered->sha256 != m.csv_sha256 || rendered->bytes != m.csv_bytes)
    return Status::corruption(what + " did not reproduce the release's CSV (SHA-256 " + rendered->sha256.substr(0, 16) +
                              "…, " + std::to_string(rendered->bytes) + " bytes; the signed manifest says " +
                              m.csv_sha256.substr(0, 16) + "…, " + std::to_string(m.csv_bytes) +
                              " bytes). The copy is unchanged");
  return {};
}

CopyState state_for(const Run& run, const std::string& ds, const ListedRelease& r, const Manifest& m,
                    const ReleaseList& list, const CopyState& before) {
  CopyState s = before;
  s.dataset = ds;
  s.source = run.options.source;
  s.release = r.id;
  s.version = r.version;
  s.published_at = r.published_at;
  s.contract_version = m.contract_version;
  s.csv_sha256 = m.csv_sha256;
  s.csv_bytes = m.csv_bytes;
  s.list_signed_at = std::to_string(list.signed_at);
  return s;
}

// The key columns, from the dataset's contract (a key never changes within a dataset).
Result<std::vector<std::string>> key_columns(Run& run, const std::string& ds) {
  auto text = run.remote.text(urls::contract(ds), 16u << 20);
  if (!text.ok()) return text.status();
  auto doc = json::parse(*text, nullptr, false);
  std::vector<std::string> key;
  if (doc.is_object() && doc.contains("key") && doc["key"].is_array())
    for (const auto& k : doc["key"])
      if (k.is_string()) key.push_back(k.get<std::string>());
  if (key.empty()) return Status::invalid_input(run.remote.url(urls::contract(ds)) + ": the contract names no key");
  return key;
}

// First run, or a copy that cannot be brought forward by changes: the release's CSV, whole.
Result<std::unique_ptr<LocalCopy>> load_whole(Run& run, const std::string& ds, const ListedRelease& r,
                                              const Manifest& m, const ReleaseList& list, const CopyState& before,
                                              const std::vector<std::string>& known_key) {
  GAZETTE_RETURN_IF_ERROR(run.remote.download(m.csv_url, run.download_file, m.csv_bytes,
                                              "\"" + m.csv_sha256.substr(0, 32) + "\""));
  auto digest = digest_file(run.download_file);
  if (!digest.ok()) return digest.status();
  if (digest->sha256 != m.csv_sha256) {
    std::error_code ec;
    std::filesystem::remove(run.download_file, ec);
    return Status::corruption(run.remote.url(m.csv_url) + ": SHA-256 " + digest->sha256 +
                              " is not the one its signed manifest gives (" + m.csv_sha256 +
                              "); the download was discarded and the copy is unchanged");
  }
  std::string first;  // the header row is in the first MiB
  {
    std::ifstream in(run.download_file, std::ios::binary);
    first.resize(1u << 20);
    in.read(first.data(), static_cast<std::streamsize>(first.size()));
    first.resize(static_cast<std::size_t>(in.gcount()));
  }
  auto columns = parse_csv_header(first, run.download_file.string());
  if (!columns.ok()) return columns.status();
  std::vector<std::string> key = known_key;
  if (key.empty()) {
    auto fetched = key_columns(run, ds);
    if (!fetched.ok()) return fetched.status();
    key = *fetched;
  }
  for (const auto& k : key)
    if (std::find(columns->begin(), columns->end(), k) == columns->end())
      return Status::invalid_input(run.remote.url(m.csv_url) + ": no key column " + k);
  auto copy = LocalCopy::create(run.new_copy_file, *columns, key);
  if (!copy.ok()) return copy.status();
  GAZETTE_RETURN_IF_ERROR((*copy)->begin());
  const Contract shape = contract_of_columns(*columns);
  CopyLoader loader(**copy);
  IngestOptions ingest;
  ingest.progress = [&](std::uint64_t done, std::uint64_t total) {
    if (run.options.progress) run.options.progress("loading " + ds + ".csv", done, total);
  };
  auto read = read_csv(run.download_file, shape, loader, ingest);
  if (!read.ok()) return read.status();
  GAZETTE_RETURN_IF_ERROR(prove(**copy, m, "loading " + ds + ".csv"));
  CopyState state = state_for(run, ds, r, m, list, before);
  state.area = run.options.area;
  state.key = key;
  state.columns = *columns;
  GAZETTE_RETURN_IF_ERROR((*copy)->commit(state, run.trust.keys()));
  copy->reset();
  std::error_code ec;
  std::filesystem::rename(run.new_copy_file, run.copy_file, ec);
  if (ec) return Status::io_error(run.copy_file.string() + ": " + ec.message());
  GAZETTE_RETURN_IF_ERROR(sync_directory(run.copy_file.parent_path()));
  if (run.options.keep_csv) {
    std::filesystem::rename(run.download_file, run.csv_file, ec);
    if (ec) return Status::io_error(run.csv_file.string() + ": " + ec.message());
  } else {
    std::filesystem::remove(run.download_file, ec);
  }
  return LocalCopy::open(run.copy_file);
}

// The changes from the held release to `target`: through the origin's `changes` route, one
// page at a time; nullopt when the server has no such route (a static export).
Result<std::optional<std::uint64_t>> apply_from_origin(Run& run, LocalCopy& copy, const std::string& ds,
                                                      const std::string& from, const std::string& to) {
  std::string cursor;
  std::uint64_t applied = 0, total = 0;
  for (bool first = true;; first = false) {
    std::string path = urls::changes(ds, from, to) + "&limit=" + std::to_string(kPageLimit);
    if (!run.options.area.empty()) path += "&area=" + run.options.area;
    if (!cursor.empty()) path += "&cursor=" + form_encode(cursor);
    auto text = run.remote.text(path, kMaxPageBytes);
    if (!text.ok() && first && text.status().code() == StatusCode::not_found) return std::optional<std::uint64_t>{};
    if (!text.ok()) return text.status();
    auto page = parse_changeset_json(*text);
    if (!page.ok() || page->from != from || page->to != to) {
      if (first) return std::optional<std::uint64_t>{};  // not an origin's answer: a static file
      return Status::invalid_input(run.remote.url(path) + ": not the next page of the changes from " + from + " to " + to);
    }
    total = page->summary.total();
    // An answer for one area holds only its keys; another (a whole changeset) is not for this copy.
    if (!run.options.area.empty())
      for (const auto& change : page->changes)
        if (change.key.compare(0, run.options.area.size(), run.options.area) != 0) {
          if (first) return std::optional<std::uint64_t>{};
          return Status::invalid_input(run.remote.url(path) + ": key " + change.key + " is not in area " + run.options.area);
        }
    for (const auto& change : page->changes) {
      GAZETTE_RETURN_IF_ERROR(copy.apply(change));
      if (run.options.progress && ++applied % 1000 == 0) run.options.progress("applying changes", applied, total);
    }
    auto doc = json::parse(*text, nullptr, false);
    cursor = str(doc, "next_cursor");
    if (cursor.empty()) break;
  }
  return std::optional<std::uint64_t>{applied};
}

// The same through the chain of signed changesets of consecutive releases (any copy of the export).
Result<std::uint64_t> apply_chain(Run& run, LocalCopy& copy, const std::string& ds, const ReleaseList& list,
                                  const std::string& from, const std::string& to, std::size_t& steps) {
  std::vector<const ListedRelease*> chain;
  for (const ListedRelease* r = list.find(to); r && r->id != from; r = list.find(r->parent)) chain.push_back(r);
  if (chain.empty() || chain.back()->parent != from)
    return Status::invalid_input("no chain of releases leads from " + from + " to " + to);
  std::uint64_t applied = 0;
  steps = chain.size();
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const std::string path = urls::changes_file(ds, (*it)->parent, (*it)->id);
    // Into a file, hashed on the way, checked against its signature, then read back a change at
    // a time: a backfill's changeset of every key never sits in memory.
    SignedDigest digest;
    {
      std::ofstream out(run.changes_file, std::ios::binary | std::ios::trunc);
      if (!out) return Status::io_error(run.changes_file.string() + ": cannot write");
      GAZETTE_RETURN_IF_ERROR(run.remote.stream(path, [&](std::string_view bytes) -> Status {
        digest.update(bytes);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return out ? Status() : Status::io_error(run.changes_file.string() + ": cannot write");
      }));
    }
    auto signature = run.remote.text(urls::signature(path), 4096);
    if (!signature.ok()) return signature.status();
    const std::string blake2b512 = digest.finish();
    auto verified = run.verify_by([&] { return run.trust.check_digest(blake2b512, *signature, path); }, *signature);
    if (!verified.ok()) return Status::invalid_input(run.remote.url(path) + ": " + verified.status().message());
    std::ifstream in(run.changes_file, std::ios::binary);
    Changeset head;
    std::uint64_t done = 0;
    auto fits = [&] {
      return head.from == (*it)->parent && head.to == (*it)->id
                 ? Status()
                 : Status::invalid_input(run.remote.url(path) + ": the changes between other releases");
    };
    GAZETTE_RETURN_IF_ERROR(read_changeset_json(in, run.remote.url(path), head, [&](Change& change) -> Status {
      if (done == 0) GAZETTE_RETURN_IF_ERROR(fits());
      GAZETTE_RETURN_IF_ERROR(copy.apply(change));
      ++applied;
      if (run.options.progress && ++done % 1000 == 0) run.options.progress("applying " + path, done, head.summary.total());
      return {};
    }));
    GAZETTE_RETURN_IF_ERROR(fits());
  }
  std::error_code ec;
  std::filesystem::remove(run.changes_file, ec);
  return applied;
}

// The notices that touch the copy and were not looked at before (`seen`, which gains them).
Result<std::vector<HeldNotice>> notices_touching(Run& run, LocalCopy& copy, const std::string& ds,
                                                 std::vector<std::string>& seen, bool first_run) {
  auto text = run.remote.text(urls::notices(ds), 64u << 20);
  if (!text.ok()) return text.status();
  auto doc = json::parse(*text, nullptr, false);
  std::vector<HeldNotice> told;
  if (!doc.is_object() || !doc.contains("notices") || !doc["notices"].is_array())
    return Status::invalid_input(run.remote.url(urls::notices(ds)) + ": not a list of notices");
  for (json item : doc["notices"]) {
    const std::string id = str(item, "id");
    if (id.empty() || std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
    seen.push_back(id);
    const std::string url = str(item, "url");
    for (const char* extra : {"dataset", "published_at", "release", "url"}) item.erase(extra);
    auto notice = read_published_notice(item.dump(), run.remote.url(url));
    if (!notice.ok()) continue;  // a notice this gazette cannot read says nothing about the copy
    if (first_run && (notice->kind == NoticeKind::restatement || notice->kind == NoticeKind::meaning_change ||
                      !notice->effective_at || *notice->effective_at <= run.now))
      continue;  // a new copy needs only what is still to come
    auto touches = copy.touches(notice->scope);
    if (!touches.ok()) return touches.status();
    if (!*touches) continue;
    told.push_back({notice->id, to_string(notice->kind), notice->title, run.remote.url(url),
                    notice->effective_at ? format_rfc3339(*notice->effective_at) : ""});
  }
  return told;
}

// With --csv: DIR/ID.csv is the copy's release, byte for byte (it is written again when a run
// was stopped between the copy's commit and the file's).
Status keep_csv_current(Run& run, LocalCopy& copy) {
  if (!run.options.keep_csv) return {};
  std::error_code ec;
  if (std::filesystem::exists(run.csv_file, ec)) {
    auto digest = digest_file(run.csv_file);
    if (digest.ok() && digest->sha256 == copy.state().csv_sha256) return {};
  }
  DurableFile out;
  std::filesystem::remove(run.csv_file.string() + ".tmp", ec);
  GAZETTE_RETURN_IF_ERROR(out.open(run.csv_file.string() + ".tmp"));
  Manifest m;
  m.renderer = renderer_name(kRenderVersion);
  m.csv_sha256 = copy.state().csv_sha256;
  m.csv_bytes = copy.state().csv_bytes;
  GAZETTE_RETURN_IF_ERROR(prove(copy, m, "the copy", [&](std::string_view bytes) { return out.write(bytes); }));
  GAZETTE_RETURN_IF_ERROR(out.commit(run.csv_file));
  run.note("wrote " + run.csv_file.string() + " from the copy");
  return {};
}

}  // namespace

Result<MirrorOutcome> run_mirror(const MirrorOptions& o) {
  auto dataset = DatasetId::parse(o.dataset);
  if (!dataset.ok()) return dataset.status();
  const std::string ds = dataset->str();
  if (!o.area.empty() && !is_area_code_text(o.area))
    return Status::invalid_input("--area: '" + o.area + "' is not an area code (letters, digits, '-' or '_')");
  // The copy's files are named by what it holds: the dataset, or one area of it.
  const std::string name = o.area.empty() ? ds : ds + "-" + o.area;
  auto source = parse_url(o.source);
  if (!source.ok()) return Status::invalid_input(o.source + ": " + source.status().message());
  std::error_code ec;
  std::filesystem::create_directories(o.dir, ec);
  if (ec) return Status::io_error(o.dir.string() + ": " + ec.message());

  // One run at a time per copy: cron starts the next while a slow first copy is still loading.
  const auto lock_file = o.dir / ("." + name + ".lock");
  const int lock = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0) return Status::io_error(lock_file.string() + ": " + std::strerror(errno));
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }  // closing releases the lock
  } unlock{lock};
  if (::flock(lock, LOCK_EX | LOCK_NB) != 0)
    return Status::conflict(o.dir.string() + ": another gazette mirror of " + name + " is running there");

  Run run{o, o.now ? o.now : now_utc(), Remote(o.source, o.progress), Trust({}), o.dir / (name + ".sqlite"),
          o.dir / (name + ".csv"), o.dir / ("." + name + ".csv.part"), o.dir / ("." + name + ".sqlite.new"),
          o.dir / ("." + name + ".changes.part")};
  MirrorOutcome outcome;

  std::unique_ptr<LocalCopy> copy;
  if (auto opened = LocalCopy::open(run.copy_file); opened.ok()) {
    copy = std::move(*opened);
    if (copy->state().dataset != ds)
      return Status::invalid_input(run.copy_file.string() + ": a copy of " + copy->state().dataset + ", not " + ds);
    if (copy->state().area != o.area)
      return Status::invalid_input(run.copy_file.string() + ": a copy of " +
                                   (copy->state().area.empty() ? "all of " + ds : "area " + copy->state().area) +
                                   ", not " + (o.area.empty() ? "all of it" : "area " + o.area));
  } else if (opened.status().code() != StatusCode::not_found) {
    return opened.status();
  }

  // Whom to believe: the copy's keys, the one given, or (first use) the publisher's list.
  std::vector<TrustedKey> keys;
  if (copy) {
    auto held = copy->keys();
    if (!held.ok()) return held.status();
    keys = *held;
  }
  if (!o.key.empty()) {
    auto given = parse_public_key(o.key, "--key");
    if (!given.ok()) return given.status();
    bool known = false;
    for (const auto& k : keys) known = known || k.id == given->id;
    if (!known) keys.push_back(*given);
  } else if (keys.empty()) {
    auto listed = keys_on_first_use(run.remote);
    if (!listed.ok()) return listed.status();
    keys = *listed;
    std::string ids;
    for (const auto& k : keys) ids += (ids.empty() ? "" : ", ") + k.id;
    run.note("trusting the publisher's key " + ids + " from " + run.remote.url(urls::keys()) +
             " on first use (pinned in the copy; --key checks it instead)");
  }
  run.trust = Trust(keys);

  auto list = fetch_release_list(run, ds);
  if (!list.ok()) return list.status();
  if (copy && std::strtoll(copy->state().list_signed_at.c_str(), nullptr, 10) > list->signed_at)
    return Status::invalid_input(run.remote.url(urls::releases(ds)) + ": signed " + format_rfc3339(list->signed_at) +
                                 ", before the list this copy already followed: an old list replayed. The copy is unchanged");

  // The target: the newest release, or the newest of the major version held to.
  const ListedRelease* target = &list->releases.front();
  if (o.max_major) {
    target = nullptr;
    for (const auto& r : list->releases)
      if (!target && r.major() <= *o.max_major) target = &r;
    if (!target) return Status::not_found(ds + " has no release of major version " + std::to_string(*o.max_major) + " or lower");
    if (target != &list->releases.front()) {
      outcome.held_back = list->releases.front().id;
      outcome.held_back_version = list->releases.front().version;
    }
  }

  CopyState before;
  if (copy) {
    before = copy->state();
    outcome.from_release = before.release;
    outcome.from_version = before.version;
    const ListedRelease* held = list->find(before.release);
    if (!held) return Status::invalid_input(run.copy_file.string() + ": holds release " + before.release + ", which " + run.remote.url(urls::releases(ds)) + " does not list");
    std::size_t held_at = static_cast<std::size_t>(held - list->releases.data());
    std::size_t target_at = static_cast<std::size_t>(target - list->releases.data());
    if (held_at <= target_at) target = held;  // nothing newer (never move back)
  }

  if (copy && target->id == before.release) {
    // Up to date: the notices since the last run, the kept CSV, the list's signature time.
    std::vector<std::string> seen = before.notices_seen;
    auto told = notices_touching(run, *copy, ds, seen, false);
    if (!told.ok()) return told.status();
    outcome.notices = *told;
    GAZETTE_RETURN_IF_ERROR(keep_csv_current(run, *copy));
    CopyState s = before;
    s.notices_seen = seen;
    s.list_signed_at = std::to_string(list->signed_at);
    GAZETTE_RETURN_IF_ERROR(copy->begin());
    GAZETTE_RETURN_IF_ERROR(copy->commit(s, run.trust.keys()));
    outcome.release = s.release;
    outcome.version = s.version;
    outcome.bytes_received = run.remote.bytes_received();
    return outcome;
  }

  auto manifest = fetch_manifest(run, ds, *target);
  if (!manifest.ok()) return manifest.status();

  // The columns of the target: the copy's, unless its contract version differs (appended columns).
  std::vector<std::string> target_columns;
  if (copy) {
    target_columns = before.columns;
    if (manifest->contract_version != before.contract_version) {
      auto head = run.remote.head_bytes(manifest->csv_url, 1u << 16);
      if (!head.ok()) return head.status();
      auto header = parse_csv_header(*head, run.remote.url(manifest->csv_url));
      if (!header.ok()) return header.status();
      target_columns = *header;
    }
  }
  const bool extends = copy && target_columns.size() >= before.columns.size() &&
                       std::equal(before.columns.begin(), before.columns.end(), target_columns.begin());

  bool by_changes = copy && extends;
  std::vector<std::string> seen = before.notices_seen;
  if (by_changes && !o.area.empty() && manifest->csv_sha256 == before.csv_sha256) {
    // The area is as the copy holds it (the release changed other areas): proven, nothing fetched.
    GAZETTE_RETURN_IF_ERROR(copy->begin());
    GAZETTE_RETURN_IF_ERROR(prove(*copy, *manifest, "area " + o.area + " of " + target->id));
    auto told = notices_touching(run, *copy, ds, seen, false);
    if (!told.ok()) return told.status();
    outcome.notices = *told;
    CopyState s = state_for(run, ds, *target, *manifest, *list, before);
    s.notices_seen = seen;
    GAZETTE_RETURN_IF_ERROR(copy->commit(s, run.trust.keys()));
    outcome.method = "no change in area " + o.area;
    by_changes = false;
    copy.reset();
    auto reopened = LocalCopy::open(run.copy_file);
    if (!reopened.ok()) return reopened.status();
    copy = std::move(*reopened);
    GAZETTE_RETURN_IF_ERROR(keep_csv_current(run, *copy));
  } else if (by_changes) {
    // Bring the copy forward by changes, in one transaction, proven before it is committed.
    auto told = notices_touching(run, *copy, ds, seen, false);
    if (!told.ok()) return told.status();
    outcome.notices = *told;
    GAZETTE_RETURN_IF_ERROR(copy->begin());
    GAZETTE_RETURN_IF_ERROR(copy->add_columns({target_columns.begin() + static_cast<std::ptrdiff_t>(before.columns.size()),
                                               target_columns.end()}));
    auto by_origin = apply_from_origin(run, *copy, ds, before.release, target->id);
    if (!by_origin.ok()) return by_origin.status();
    if (!*by_origin && !o.area.empty()) {
      // A static export publishes no changes of one area: the area's CSV, whole (it is small).
      copy->rollback();
      by_changes = false;
      run.note("no changes of area " + o.area + " from this source (a static copy): loading the area's CSV whole");
    } else if (*by_origin) {
      outcome.changes_applied = **by_origin;
      outcome.method = "the changes from " + before.release + " in one request";
    } else {
      std::size_t steps = 0;
      auto applied = apply_chain(run, *copy, ds, *list, before.release, target->id, steps);
      if (!applied.ok()) return applied.status();
      outcome.changes_applied = *applied;
      outcome.method = std::to_string(steps) + " signed changeset" + (steps == 1 ? "" : "s");
    }
  }
  if (by_changes) {
    DurableFile csv;
    if (o.keep_csv) {
      std::filesystem::remove(run.csv_file.string() + ".tmp", ec);
      GAZETTE_RETURN_IF_ERROR(csv.open(run.csv_file.string() + ".tmp"));
    }
    GAZETTE_RETURN_IF_ERROR(prove(*copy, *manifest, "applying the changes from " + before.release + " to " + target->id,
                                  o.keep_csv ? std::function<Status(std::string_view)>(
                                                   [&](std::string_view b) { return csv.write(b); })
                                             : std::function<Status(std::string_view)>()));
    CopyState s = state_for(run, ds, *target, *manifest, *list, before);
    s.columns = target_columns;
    s.notices_seen = seen;
    GAZETTE_RETURN_IF_ERROR(copy->commit(s, run.trust.keys()));
    if (o.keep_csv) GAZETTE_RETURN_IF_ERROR(csv.commit(run.csv_file));
  }
  if (!by_changes && outcome.method.empty()) {
    if (copy && !extends) run.note("the columns of " + target->id + " do not extend the copy's: loading its CSV whole");
    std::vector<std::string> key = copy ? before.key : std::vector<std::string>{};
    copy.reset();
    auto loaded = load_whole(run, ds, *target, *manifest, *list, before, key);
    if (!loaded.ok()) return loaded.status();
    copy = std::move(*loaded);
    outcome.method = o.area.empty() ? "the whole CSV" : "area " + o.area + "'s CSV";
    outcome.changes_applied = 0;
    seen = before.notices_seen;
    auto told = notices_touching(run, *copy, ds, seen, before.release.empty());
    if (!told.ok()) return told.status();
    outcome.notices = *told;
    CopyState s = copy->state();
    s.notices_seen = seen;
    GAZETTE_RETURN_IF_ERROR(copy->begin());
    GAZETTE_RETURN_IF_ERROR(copy->commit(s, run.trust.keys()));
  }
  outcome.updated = true;
  outcome.release = target->id;
  outcome.version = target->version;
  outcome.new_major = !outcome.from_version.empty() &&
                      MeaningVersion::parse(outcome.from_version).value_or(MeaningVersion{}).major < target->major();
  outcome.bytes_received = run.remote.bytes_received();
  return outcome;
}

}  // namespace gazette

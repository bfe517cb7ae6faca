// `gazette demo`: a store built from the real NaPTAN excerpt bundled in data/naptan/.
//
// The excerpt holds per-area snapshots taken on different days (see data/naptan/SOURCES.md).
// The demo replays them as a national history: on each snapshot day it publishes the newest
// snapshot of every area known by then, so the releases carry real routine changes
// (Clackmannanshire's seven versions, new stops in Slough and Central Bedfordshire, areas
// joining). Publication times are the snapshot days at 06:00 UTC.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "publisher/common/file_io.hpp"
#include "publisher/contract/contract.hpp"
#include "publisher/release/release.hpp"
#include "tools/gazette/commands.hpp"
#include "tools/gazette/common.hpp"
#include "tools/gazette/exit_codes.hpp"

#ifndef GAZETTE_SOURCE_DIR
#define GAZETTE_SOURCE_DIR "."
#endif

namespace gazette::cli {

namespace fs = std::filesystem;

namespace {

fs::path bundled(const std::string& rel) {
  fs::path here = fs::path("data") / rel;
  std::error_code ec;
  if (fs::exists(here, ec)) return here;
  return fs::path(GAZETTE_SOURCE_DIR) / "data" / rel;
}

struct Snapshot {
  std::string area, date;
  fs::path file;
};

// The snapshots in data/naptan/csv, named NNNStops_YYYY-MM-DD.csv.
std::vector<Snapshot> find_snapshots(const fs::path& dir) {
  static const std::regex kName(R"(([0-9]{3})Stops_([0-9]{4}-[0-9]{2}-[0-9]{2})\.csv)");
  std::vector<Snapshot> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::smatch m;
    std::string name = e.path().filename().string();
    if (std::regex_match(name, m, kName)) out.push_back({m[1], m[2], e.path()});
  }
  std::sort(out.begin(), out.end(),
            [](const Snapshot& a, const Snapshot& b) { return a.date < b.date || (a.date == b.date && a.area < b.area); });
  return out;
}

// Concatenates CSV files that share a header into one, keeping the first header.
Status write_composite(const std::vector<fs::path>& parts, const fs::path& out_path) {
  std::string out;
  bool first = true;
  for (const auto& p : parts) {
    auto text = read_small_file(p, 64u << 20);
    if (!text.ok()) return text.status();
    std::string_view body = *text;
    if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
    std::size_t eol = body.find('\n');
    if (eol == std::string_view::npos) continue;
    if (first) out.append(body.substr(0, eol + 1));
    first = false;
    std::string_view rows = body.substr(eol + 1);
    out.append(rows);
    if (!rows.empty() && rows.back() != '\n') out.push_back('\n');
  }
  return write_file_durably(out_path, out);
}

}  // namespace

int cmd_demo(const Invocation& inv) {
  const fs::path sample = bundled("naptan/csv");
  std::error_code ec;
  fs::path contract_path = fs::exists("schemas/naptan-stops.contract.json", ec)
                               ? fs::path("schemas/naptan-stops.contract.json")
                               : fs::path(GAZETTE_SOURCE_DIR) / "schemas/naptan-stops.contract.json";
  auto snapshots = find_snapshots(sample);
  if (snapshots.empty())
    return fail(inv, Status::not_found(sample.string() + ": no bundled NaPTAN snapshots found"));

  // A demo store is disposable: rebuild it, but never delete a directory we did not make.
  const fs::path dir = inv.data_dir;
  const fs::path marker = dir / ".gazette-demo";
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    if (!fs::exists(marker, ec))
      return fail(inv, Status::conflict(dir.string() +
                                        " is not empty and not a demo store; choose another "
                                        "with --data"));
    fs::remove_all(dir, ec);
  }
  Status s = Store::init(dir);
  if (!s.ok()) return fail(inv, s);
  s = write_file_durably(marker, "a store made by `gazette demo`; safe to delete\n");
  if (!s.ok()) return fail(inv, s);
  auto opened = Store::open(dir, OpenMode::write);
  if (!opened.ok()) return fail(inv, opened.status());
  Store& store = **opened;

  auto contract_text = read_small_file(contract_path);
  if (!contract_text.ok()) return fail(inv, contract_text.status());
  auto contract = parse_contract(*contract_text, contract_path.string());
  if (!contract.ok()) return fail(inv, contract.status());
  DatasetInfo info{contract->dataset_id, contract->title, contract->version,
                   contract->canonical_json, now_utc()};
  s = store.create_dataset(info, "demo");
  if (!s.ok()) return fail(inv, s);
  const std::string ds = contract->dataset_id;

  *inv.out << "gazette demo: store in " << dir.string() << "\n";
  std::set<std::string> dates;
  for (const auto& snap : snapshots) dates.insert(snap.date);
  fs::path work = dir / "demo-input";
  fs::create_directories(work, ec);
  for (const auto& date : dates) {
    std::map<std::string, fs::path> newest_per_area;
    for (const auto& snap : snapshots)
      if (snap.date <= date) newest_per_area[snap.area] = snap.file;
    std::vector<fs::path> parts;
    for (const auto& [area, file] : newest_per_area) parts.push_back(file);
    fs::path composite = work / ("stops-" + date + ".csv");
    s = write_composite(parts, composite);
    if (!s.ok()) return fail(inv, s);
    StageOptions so;
    so.format = InputFormat::csv;
    so.actor = "demo";
    auto staged = stage(store, ds, composite, so);
    if (!staged.ok()) return fail(inv, staged.status());
    CutOptions co;
    co.owner = "stops-maintainer";
    co.published_at = *parse_instant(date + "T06:00:00Z");
    // Act as a careful maintainer: read the gate's verdict, and where it asks for notices,
    // publish them, scoped to the areas whose snapshot changed that day.
    auto verdict = verify_candidate(store, ds, staged->candidate.id, {{}, {}, *co.published_at});
    if (!verdict.ok()) return fail(inv, verdict.status());
    if (cli::exit_code_for(verdict->verdict) == 3) {
      std::vector<std::string> areas, codes;
      for (const auto& snap : snapshots)
        if (snap.date == date) areas.push_back(snap.area);
      for (const auto& snap : snapshots) {
        if (snap.date != date) continue;
        auto text = read_small_file(snap.file, 64u << 20);
        if (!text.ok()) return fail(inv, text.status());
        std::size_t at = text->find("\n") + 1;  // the code is the 38th column of every row
        while (at < text->size()) {
          std::size_t eol = text->find('\n', at);
          std::string_view row(text->data() + at, (eol == std::string::npos ? text->size() : eol) - at);
          std::size_t pos = 0;
          for (int col = 0; col < 37 && pos != std::string_view::npos; ++col) pos = row.find(',', pos) + 1;
          std::string code(row.substr(pos, row.find(',', pos) - pos));
          if (!code.empty() && std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
          at = eol == std::string::npos ? text->size() : eol + 1;
        }
      }
      std::string where = "{\"AdministrativeAreaCode\": [";
      for (std::size_t i = 0; i < codes.size(); ++i) where += (i ? ", \"" : "\"") + codes[i] + "\"";
      where += "]}";
      std::string columns = "[";
      for (const auto& t : verdict->verdict.rules)
        if (t.uncovered && (t.rule == Rule::code_list_extended || t.rule == Rule::distribution_drift))
          for (const auto& col : t.columns)
            if (columns.find("\"" + col + "\"") == std::string::npos)
              columns += (columns.size() > 1 ? ", \"" : "\"") + col + "\"";
      columns += "]";
      const std::string tag = "areas-" + date;
      for (const char* kind : {"removal", "restatement"}) {
        std::string json = std::string("{\"id\": \"") + tag + "-" + kind + "\", \"kind\": \"" + kind +
                           "\", \"title\": \"Changes to stops in the areas updated on " + date +
                           "\", \"text\": \"The local authorities restated, moved or withdrew stops; see the changeset.\", "
                           "\"scope\": {\"where\": " + where + (columns.size() > 2 ? ", \"columns\": " + columns : "") + "}}";
        auto n = parse_notice(json, "demo notice", *contract);
        if (!n.ok()) return fail(inv, n.status());
        co.notices.push_back(std::move(*n));
      }
      *inv.out << "  " << date << ": the gate asked for notices; publishing " << tag
               << "-removal and " << tag << "-restatement with the release\n";
    }
    auto cut = cut_release(store, ds, staged->candidate.id, co);
    if (!cut.ok()) return fail(inv, cut.status());
    if (cut->verification && cli::exit_code_for(cut->verification->verdict) != 0) {
      *inv.err << cut->verification->text;
      return fail(inv, Status::conflict("the demo's release of " + date + " was refused"));
    }
    if (cut->release) {
      *inv.out << "  released " << cut->release->id << ": " << cut->release->record_count
               << " stops in " << parts.size() << " areas\n";
    } else {
      *inv.out << "  " << date << ": nothing new (identical to " << cut->identical_to << ")\n";
    }
  }
  // A backfill: Rutland's positions recomputed with a corrected grid transform (here, one
  // metre east and north), under a reviewed plan that declares the definition change. The
  // gate sees a systematic shift, which only such a plan lets through.
  {
    auto text = read_small_file(work / ("stops-" + *dates.rbegin() + ".csv"), 64u << 20);
    if (!text.ok()) return fail(inv, text.status());
    std::string out;
    std::size_t at = 0;
    while (at < text->size()) {
      std::size_t eol = text->find('\n', at);
      if (eol == std::string::npos) eol = text->size();
      std::string row = text->substr(at, eol - at);
      std::vector<std::string> f;
      std::size_t start = 0;
      for (std::size_t comma; (comma = row.find(',', start)) != std::string::npos; start = comma + 1)
        f.push_back(row.substr(start, comma - start));
      f.push_back(row.substr(start));
      if (f.size() == 43 && f[37] == "049" && row.find('"') == std::string::npos) {
        f[27] = std::to_string(std::stol(f[27]) + 1);
        f[28] = std::to_string(std::stol(f[28]) + 1);
        row.clear();
        for (std::size_t i = 0; i < f.size(); ++i) row += (i ? "," : "") + f[i];
      }
      out += row + "\n";
      at = eol + 1;
    }
    const fs::path backfill = work / "stops-backfill-rutland.csv";
    s = write_file_durably(backfill, out);
    if (!s.ok()) return fail(inv, s);
    StageOptions so;
    so.actor = "demo";
    // The corrected transform is a new version of the `position` definition, carried by a new
    // version of the contract that the backfill is staged under and its plan declares.
    auto next = nlohmann::json::parse(*contract_text, nullptr, false);
    if (next.is_discarded()) return fail(inv, Status::invalid_input(contract_path.string() + ": not valid JSON"));
    next["version"] = contract->version + 1;
    for (auto& d : next["definitions"])
      if (d["name"] == "position") {
        d["version"] = 2;
        d["text"] = "Easting/Northing recomputed with the corrected grid transform; Longitude/Latitude as before.";
      }
    so.contract_json = next.dump(2);
    so.contract_source = "the demo's contract v" + std::to_string(contract->version + 1);
    auto staged = stage(store, ds, backfill, so);
    if (!staged.ok()) return fail(inv, staged.status());
    const char* plan_json = R"({"id": "bf-2026-07-rutland-positions", "owner": "stops-maintainer",
      "reviewed_by": ["data-quality-reviewer"], "intent": "Recompute Rutland's positions with the corrected grid transform",
      "definitions": [{"name": "position", "from": 1, "to": 2, "text": "Grid positions from the corrected transform"}],
      "blast_radius": {"columns": ["Easting", "Northing"], "where": {"AdministrativeAreaCode": ["049"]}, "max_records": 300}})";
    auto plan = parse_plan(plan_json, "demo plan", *contract);
    if (!plan.ok()) return fail(inv, plan.status());
    CutOptions co;
    co.owner = "stops-maintainer";
    co.published_at = *parse_instant(*dates.rbegin() + "T18:00:00Z");
    co.plan = std::move(*plan);
    auto cut = cut_release(store, ds, staged->candidate.id, co);
    if (!cut.ok()) return fail(inv, cut.status());
    if (!cut->release) {
      if (cut->verification) *inv.err << cut->verification->text;
      return fail(inv, Status::conflict("the demo's backfill was refused"));
    }
    *inv.out << "  released " << cut->release->id << ": backfill under plan bf-2026-07-rutland-positions ("
             << cut->changes.modified << " positions recomputed)\n";
  }
  *inv.out << "  gazette --data " << dir.string() << " history " << ds << "\n" << std::flush;
  opened->reset();  // release the writer lock: the server only reads
  auto options = server_options(inv);
  if (!options.ok()) return options.status().message().empty() ? kError : fail(inv, options.status());
  return serve(inv, *options, "gazette demo: ");
}

}  // namespace gazette::cli

#include "publisher/store/schema.hpp"

namespace gazette::store_detail {

const std::vector<std::string>& migrations() {
  static const std::vector<std::string> kMigrations = {
      // 1: datasets, candidates, record versions and spans, releases, artefacts, ledger.
      R"sql(
CREATE TABLE datasets(
  num INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  contract_version INTEGER NOT NULL,
  created_at INTEGER NOT NULL);

CREATE TABLE contracts(
  dataset INTEGER NOT NULL REFERENCES datasets(num),
  version INTEGER NOT NULL,
  json TEXT NOT NULL,
  registered_at INTEGER NOT NULL,
  PRIMARY KEY(dataset, version));

CREATE TABLE candidates(
  dataset INTEGER NOT NULL REFERENCES datasets(num),
  id TEXT NOT NULL,
  format TEXT NOT NULL,
  source TEXT NOT NULL,
  record_count INTEGER NOT NULL,
  staged_at INTEGER NOT NULL,
  PRIMARY KEY(dataset, id));

-- One row per distinct record content ever published. Shared by every release holding it.
CREATE TABLE record_versions(
  id INTEGER PRIMARY KEY,
  dataset INTEGER NOT NULL REFERENCES datasets(num),
  key TEXT NOT NULL,
  hash BLOB NOT NULL,
  body BLOB NOT NULL,
  UNIQUE(dataset, hash));

-- Version `version` of `key` is in every release with first_seq <= seq < last_seq
-- (last_seq NULL: still current).
CREATE TABLE record_spans(
  dataset INTEGER NOT NULL,
  key TEXT NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER,
  version INTEGER NOT NULL REFERENCES record_versions(id),
  PRIMARY KEY(dataset, key, first_seq)) WITHOUT ROWID;

CREATE TABLE releases(
  dataset INTEGER NOT NULL REFERENCES datasets(num),
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('routine', 'backfill', 'rollback')),
  owner TEXT NOT NULL,
  parent TEXT,
  contract_version INTEGER NOT NULL,
  record_count INTEGER NOT NULL,
  candidate TEXT,
  manifest TEXT NOT NULL,
  PRIMARY KEY(dataset, seq),
  UNIQUE(dataset, id));

CREATE TABLE artefacts(
  dataset INTEGER NOT NULL,
  release TEXT NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY(dataset, release, name));
CREATE INDEX artefacts_by_sha ON artefacts(sha256);

CREATE TABLE ledger(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  dataset TEXT,
  subject TEXT,
  detail TEXT);

-- What was published stays published: the database itself refuses to rewrite it.
CREATE TRIGGER releases_immutable BEFORE UPDATE ON releases
  BEGIN SELECT RAISE(ABORT, 'releases are immutable'); END;
CREATE TRIGGER releases_undeletable BEFORE DELETE ON releases
  BEGIN SELECT RAISE(ABORT, 'releases are immutable'); END;
CREATE TRIGGER artefacts_immutable BEFORE UPDATE ON artefacts
  BEGIN SELECT RAISE(ABORT, 'artefacts are immutable'); END;
CREATE TRIGGER artefacts_undeletable BEFORE DELETE ON artefacts
  BEGIN SELECT RAISE(ABORT, 'artefacts are immutable'); END;
CREATE TRIGGER versions_immutable BEFORE UPDATE ON record_versions
  BEGIN SELECT RAISE(ABORT, 'record versions are immutable'); END;
CREATE TRIGGER ledger_append_only BEFORE UPDATE ON ledger
  BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_undeletable BEFORE DELETE ON ledger
  BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
)sql",
      // 2: precompressed gzip copies of artefacts, named by their own SHA-256.
      R"sql(
ALTER TABLE artefacts ADD COLUMN gzip_sha256 TEXT;
ALTER TABLE artefacts ADD COLUMN gzip_bytes INTEGER;
CREATE INDEX artefacts_by_gzip_sha ON artefacts(gzip_sha256);
)sql",
      // 3: finding the keys that changed between two releases without reading the others;
      // each release's changeset against its parent, as gzip-compressed JSON.
      R"sql(
CREATE INDEX record_spans_by_first ON record_spans(dataset, first_seq);
CREATE INDEX record_spans_by_last ON record_spans(dataset, last_seq);
CREATE TABLE changesets(
  dataset INTEGER NOT NULL REFERENCES datasets(num),
  release TEXT NOT NULL,
  parent TEXT NOT NULL,
  added INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  retired INTEGER NOT NULL,
  modified INTEGER NOT NULL,
  json_gzip BLOB NOT NULL,
  PRIMARY KEY(dataset, release));
CREATE TRIGGER changesets_immutable BEFORE UPDATE ON changesets
  BEGIN SELECT RAISE(ABORT, 'changesets are immutable'); END;
)sql",
      // 4: each span carries its version's hash, so comparing a release with a candidate
      // scans the spans alone instead of joining every record version.
      R"sql(
ALTER TABLE record_spans ADD COLUMN hash BLOB;
UPDATE record_spans SET hash = (SELECT hash FROM record_versions v WHERE v.id = record_spans.version);
)sql",
      // 5: the gate: notices, each release's value counts and verification report.
      R"sql(
CREATE TABLE notices(
  dataset INTEGER NOT NULL REFERENCES datasets(num),
  id TEXT NOT NULL,
  kind TEXT NOT NULL,
  json TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  release TEXT,
  PRIMARY KEY(dataset, id));
CREATE TRIGGER notices_immutable BEFORE UPDATE ON notices
  BEGIN SELECT RAISE(ABORT, 'notices are immutable'); END;
CREATE TRIGGER notices_undeletable BEFORE DELETE ON notices
  BEGIN SELECT RAISE(ABORT, 'notices are immutable'); END;
CREATE TABLE release_stats(
  dataset INTEGER NOT NULL REFERENCES datasets(num),
  release TEXT NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY(dataset, release));
CREATE TABLE reports(
  dataset INTEGER NOT NULL REFERENCES datasets(num),
  release TEXT NOT NULL,
  json TEXT NOT NULL,
  plan TEXT,
  PRIMARY KEY(dataset, release));
CREATE TRIGGER reports_immutable BEFORE UPDATE ON reports
  BEGIN SELECT RAISE(ABORT, 'reports are immutable'); END;
)sql",
      // 6: a candidate's value counts, computed once when it is staged.
      R"sql(
ALTER TABLE candidates ADD COLUMN stats TEXT;
)sql",
      // 7: a candidate may bring a new version of its dataset's contract.
      R"sql(
ALTER TABLE candidates ADD COLUMN contract TEXT;
)sql",
      // 8: artefacts of older releases whose files were removed, to be rendered on request.
      R"sql(
CREATE TABLE evictions(
  dataset INTEGER NOT NULL,
  release TEXT NOT NULL,
  name TEXT NOT NULL,
  evicted_at INTEGER NOT NULL,
  PRIMARY KEY(dataset, release, name));
CREATE TRIGGER evictions_immutable BEFORE UPDATE ON evictions
  BEGIN SELECT RAISE(ABORT, 'evictions are immutable'); END;
)sql",
      // 9: the keys whose change a release announced (covered by a notice or a plan), so that
      // the gate judges later changes against what consumers were told.
      R"sql(
CREATE TABLE announced(
  dataset INTEGER NOT NULL,
  key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY(dataset, key, seq)) WITHOUT ROWID;
CREATE TRIGGER announced_immutable BEFORE UPDATE ON announced
  BEGIN SELECT RAISE(ABORT, 'announcements are immutable'); END;
)sql",
      // 10: each key's label in a release's stored changeset, so that a page of it is read by
      // key range. Releases cut before this have none; their changeset is read whole.
      R"sql(
CREATE TABLE change_labels(
  dataset INTEGER NOT NULL,
  release TEXT NOT NULL,
  key TEXT NOT NULL,
  rule TEXT NOT NULL,
  severity TEXT NOT NULL,
  PRIMARY KEY(dataset, release, key)) WITHOUT ROWID;
CREATE TRIGGER change_labels_immutable BEFORE UPDATE ON change_labels
  BEGIN SELECT RAISE(ABORT, 'change labels are immutable'); END;
)sql",
      // 11: meaning versions (NULL for releases cut before them: derived when read); the
      // publisher's public keys; detached signatures of manifests, changesets and release lists.
      // A release list's signature is replaced at each release; every other one is immutable.
      R"sql(
ALTER TABLE releases ADD COLUMN version TEXT;
CREATE TABLE signing_keys(
  id TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER,
  endorsement TEXT);
CREATE TRIGGER signing_keys_undeletable BEFORE DELETE ON signing_keys
  BEGIN SELECT RAISE(ABORT, 'signing keys are kept'); END;
CREATE TRIGGER signing_keys_immutable BEFORE UPDATE ON signing_keys
  WHEN OLD.retired_at IS NOT NULL OR NEW.id <> OLD.id OR NEW.public_key <> OLD.public_key
  BEGIN SELECT RAISE(ABORT, 'signing keys are immutable'); END;
CREATE TABLE signatures(
  dataset INTEGER NOT NULL,
  subject TEXT NOT NULL,
  key_id TEXT NOT NULL,
  signed_at INTEGER NOT NULL,
  valid_until INTEGER,
  document BLOB,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY(dataset, subject));
CREATE TRIGGER signatures_immutable BEFORE UPDATE ON signatures WHEN OLD.subject <> 'releases'
  BEGIN SELECT RAISE(ABORT, 'signatures are immutable'); END;
CREATE TRIGGER signatures_undeletable BEFORE DELETE ON signatures WHEN OLD.subject <> 'releases'
  BEGIN SELECT RAISE(ABORT, 'signatures are immutable'); END;
)sql",
      // 12: areas (the contract's partition). Each release lists its areas, with the counts of
      // its changeset in each (for per-area feeds); an area's artefacts
      // are rows of the release that last changed it (`since`), rendered on request, so a
      // release adds artefact rows only for the areas it changed.
      R"sql(
CREATE TABLE release_areas(
  dataset INTEGER NOT NULL,
  release TEXT NOT NULL,
  area TEXT NOT NULL,
  records INTEGER NOT NULL,
  since TEXT NOT NULL,
  added INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  retired INTEGER NOT NULL,
  modified INTEGER NOT NULL,
  PRIMARY KEY(dataset, release, area)) WITHOUT ROWID;
CREATE INDEX release_areas_by_area ON release_areas(dataset, area);
CREATE TABLE area_artefacts(
  dataset INTEGER NOT NULL,
  release TEXT NOT NULL,
  area TEXT NOT NULL,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY(dataset, release, area, position)) WITHOUT ROWID;
CREATE TRIGGER release_areas_immutable BEFORE UPDATE ON release_areas
  BEGIN SELECT RAISE(ABORT, 'release areas are immutable'); END;
CREATE TRIGGER release_areas_undeletable BEFORE DELETE ON release_areas
  BEGIN SELECT RAISE(ABORT, 'release areas are immutable'); END;
CREATE TRIGGER area_artefacts_immutable BEFORE UPDATE ON area_artefacts
  BEGIN SELECT RAISE(ABORT, 'area artefacts are immutable'); END;
CREATE TRIGGER area_artefacts_undeletable BEFORE DELETE ON area_artefacts
  BEGIN SELECT RAISE(ABORT, 'area artefacts are immutable'); END;
)sql",
  };
  return kMigrations;
}

std::vector<std::string> required_triggers() {
  // Read from the migrations themselves, so that a trigger added later is checked without
  // anyone remembering to list it.
  std::vector<std::string> names;
  auto name_after = [](const std::string& sql, std::size_t at) {
    while (at < sql.size() && sql[at] == ' ') ++at;
    if (sql.compare(at, 14, "IF NOT EXISTS ") == 0) at += 14;
    if (sql.compare(at, 10, "IF EXISTS ") == 0) at += 10;
    const std::size_t end = sql.find_first_of(" \n(;", at);
    return sql.substr(at, end - at);
  };
  for (const auto& sql : migrations()) {
    for (std::size_t at = sql.find("CREATE TRIGGER "); at != std::string::npos; at = sql.find("CREATE TRIGGER ", at + 1))
      names.push_back(name_after(sql, at + 15));
    for (std::size_t at = sql.find("DROP TRIGGER "); at != std::string::npos; at = sql.find("DROP TRIGGER ", at + 1))
      std::erase(names, name_after(sql, at + 13));
  }
  return names;
}

}  // namespace gazette::store_detail

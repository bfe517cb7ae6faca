// The render module: records -> the bytes of a release's artefacts (CSV, XML, JSON) and the
// XSD that describes the XML. Pure and deterministic: the same records, contract and release
// metadata always give the same bytes, which is what lets a release promise "same URL, same
// bytes, forever" and lets a test re-render and compare hashes.
//
// Renderers append to a caller-owned string, so the caller decides when to flush (the
// release module streams 100 MB artefacts through a 1 MiB buffer).
// Thread-safety: a renderer object is used by one thread.
#pragma once

#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "publisher/common/status.hpp"
#include "publisher/model/changeset.hpp"
#include "publisher/model/contract.hpp"

namespace gazette {

enum class ArtefactFormat { csv, xml, json, geojson };
// Every format, in manifest order. GeoJSON only for datasets with a position (has_format).
inline constexpr ArtefactFormat kArtefactFormats[] = {ArtefactFormat::csv, ArtefactFormat::xml, ArtefactFormat::json,
                                                     ArtefactFormat::geojson};

// Versions of the rendering. A version's bytes never change: a release is rendered again
// (after its files were evicted) by the version its manifest names.
//   1: XML in gazette's generic record layout for every dataset.
//   2: XML in the domain's own layout where the contract maps one (NaPTAN 2.4, has_naptan_layout);
//      every other artefact as in 1.
inline constexpr int kRenderVersion = 2;
// "gazette-render/2", as manifests name it.
std::string renderer_name(int version);
// The version a manifest's "renderer" names, or 0 when this gazette has no such renderer.
int renderer_version(std::string_view name);
// "rendered by 'gazette-render/9', which this gazette does not have (it has …/1 to …/2)".
std::string missing_renderer(std::string_view name);

struct ReleaseHeader {
  std::string dataset;
  std::string release;       // "2026-11-24"
  std::string published_at;  // RFC 3339
  int contract_version = 1;
  std::uint64_t record_count = 0;
  int renderer = kRenderVersion;
};

class ArtefactRenderer {
 public:
  virtual ~ArtefactRenderer() = default;
  virtual void begin(std::string& out) = 0;
  // `body` is an encoded record (see model/record.hpp) in contract column order.
  virtual void record(std::string_view body, std::string& out) = 0;
  virtual void end(std::string& out) = 0;
};

// The contract is borrowed and must outlive the renderer. Null when this gazette has no
// renderer of `header.renderer`.
std::unique_ptr<ArtefactRenderer> make_renderer(ArtefactFormat format, const Contract& contract,
                                                const ReleaseHeader& header);
// What changes for consumers of `dataset` when its releases go from renderer `from` to `to`, to
// announce with the first release that `to` cuts; empty when no byte of its artefacts changes.
std::string format_change_note(const Contract& contract, const std::string& dataset, int from, int to);
// Whether the contract's records are NaPTAN StopPoints, mapped by XML paths: its XML artefact
// (from renderer 2) is then a NaPTAN 2.4 document, valid against schemas/naptan-2.4.xsd.
bool has_naptan_layout(const Contract& contract);

const char* extension(ArtefactFormat f);   // "csv", "xml", "json", "geojson"
const char* media_type(ArtefactFormat f);  // "text/csv; charset=utf-8; header=present", ...
// The format whose extension `ext` is ("geojson"), or nothing.
std::optional<ArtefactFormat> format_from_extension(std::string_view ext);
// Whether a dataset under `contract` publishes `f` (GeoJSON needs a position).
bool has_format(const Contract& contract, ArtefactFormat f);

// The XML Schema of a dataset's XML artefacts in the generic layout, generated from its contract.
std::string render_xsd(const Contract& contract);

// The XML namespace of release documents.
inline constexpr const char* kReleaseXmlNamespace = "urn:gazette:release:1";

// A changeset as JSON (the format `changes` serves), with changes [begin, end) and, when more follow,
// `next_cursor`; the summary is always whole.
// The pieces of render_changeset_json, for a changeset written page by page: the head (its
// summary, up to the opening of its list of changes; cs.changes unused), each change, the tail.
// head + change_json(c1) + "," + change_json(c2) … + tail gives render_changeset_json's bytes.
std::string changeset_json_head(const Changeset& cs);
std::string change_json(const Change& change);
std::string changeset_json_tail(const std::string& next_cursor = "");
std::string render_changeset_json(const Changeset& cs, std::size_t begin, std::size_t end,
                                  const std::string& next_cursor = {});
// Changes [begin, end) as CSV, one row per changed field: key, kind, column, old, new.
std::string render_changeset_csv(const Changeset& cs, std::size_t begin, std::size_t end);
// Reads back what render_changeset_json wrote (stored changesets).
Result<Changeset> parse_changeset_json(std::string_view text);
// The same as it streams in, one change at a time (to `on_change`, which may move from it), so
// that a changeset of every key is read in the memory of one change. `head` gets the dataset,
// ends and summary (gazette writes them before the changes). An error from `on_change` stops
// the read and is returned; a document that is not JSON is invalid_input naming `source`.
Status read_changeset_json(std::istream& in, const std::string& source, Changeset& head,
                           const std::function<Status(Change&)>& on_change);

// Appends `v` as a CSV field (RFC 4180: quoted only when it must be).
void append_csv_field(std::string& out, std::string_view v);
// Appends `v` escaped for XML character data or attribute values.
void append_xml_escaped(std::string& out, std::string_view v);
// Appends `v` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view v);

}  // namespace gazette
